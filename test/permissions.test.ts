import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { startTestGateway, testDb, uniqueTable, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { packet, rdmVia, SocketTracker, type RdmWay } from './support/rdm.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

// One table per test; the rules name them by pattern: reader/writer get test.*, user gets row
// and field rules on test.notes_* tables (the pattern is per table, so they use a fixed name).
const NOTES = 'notes_perm';
const rules = {
  reader: { [`${testDb}.*`]: { read: true, subscribe: true } },
  writer: { [`${testDb}.*`]: { read: true, insert: true, update: true } },
  user: {
    [`${testDb}.${NOTES}`]: {
      read: true,
      insert: true,
      update: true,
      delete: true,
      subscribe: true,
      rows: { owner: { eq: '$user.id' } },
      hiddenFields: ['secret'],
      readonlyFields: ['score'],
    },
  },
  nobody: {},
};

let gw: TestGateway;
const headers: Record<string, Record<string, string>> = {};
const as = <T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
  post<T>(gw, query, variables, headers[who] as Record<string, string>).then((answer) => answer.body);
const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;
const notes = () => as<{ query: Record<string, unknown>[] }>('admin', `{ query(table: "${NOTES}", orderBy: [{ field: "id" }]) }`).then((r) => r.data?.query);

const seed = [
  { id: 'a1', owner: 'alice', text: 'mine', secret: 's-a1', score: 1 },
  { id: 'a2', owner: 'alice', text: 'also mine', secret: 's-a2', score: 2 },
  { id: 'b1', owner: 'bob', text: 'bobs', secret: 's-b1', score: 3 },
];

beforeAll(async () => {
  gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules) }) });
  for (const [who, claims] of Object.entries({
    admin: { role: 'admin', sub: 'root' },
    reader: { role: 'reader', sub: 'r' },
    writer: { role: 'writer', sub: 'w' },
    alice: { role: 'user', sub: 'alice' },
    bob: { role: 'user', sub: 'bob' },
    nobody: { role: 'nobody', sub: 'n' },
    stranger: { role: 'unlisted', sub: 'x' },
  })) {
    headers[who] = bearer(await token(claims));
  }
});
beforeEach(async () => {
  await as('admin', `mutation { deleteMany(table: "${NOTES}", all: true) { deleted } }`).catch(() => undefined);
  const created = await as('admin', `mutation { createTable(table: "${NOTES}") { name } }`);
  if (created.errors && codeOf(created) !== 'CONFLICT') throw new Error(JSON.stringify(created.errors));
  await as('admin', `mutation($d: [JSONObject!]!) { insert(table: "${NOTES}", documents: $d) { inserted } }`, { d: seed });
});
afterAll(() => gw.close());

describe('table permissions', () => {
  it('lets a reader read but not insert, update or delete, and changes nothing', async () => {
    expect((await as('reader', `{ count(table: "${NOTES}") }`)).data).toEqual({ count: 3 });
    for (const mutation of [
      `mutation { insert(table: "${NOTES}", documents: [{ id: "x" }]) { inserted } }`,
      `mutation { update(table: "${NOTES}", id: "a1", patch: { text: "x" }) }`,
      `mutation { delete(table: "${NOTES}", id: "a1") }`,
      `mutation { deleteMany(table: "${NOTES}", all: true) { deleted } }`,
      `mutation { dropTable(table: "${NOTES}") { name } }`,
    ]) {
      const result = await as('reader', mutation);
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(/role "reader" may not (insert|update|delete|admin)/);
    }
    expect(await notes()).toEqual(seed);
  });

  it('denies by default: roles without a rule for the table, or not listed at all, and the same answer for tables that do not exist', async () => {
    for (const who of ['nobody', 'stranger', 'alice']) {
      const existing = await as(who, `{ query(table: "other_table_${who}") }`);
      expect(codeOf(existing)).toBe('FORBIDDEN');
    }
    const missing = await as('nobody', `{ query(table: "does_not_exist") }`);
    const present = await as('nobody', `{ query(table: "${NOTES}") }`);
    expect(missing.errors?.[0]?.message.replace('does_not_exist', 'T')).toBe(present.errors?.[0]?.message.replace(NOTES, 'T'));
  });

  it('lets a writer update but not delete', async () => {
    expect((await as('writer', `mutation { update(table: "${NOTES}", id: "b1", patch: { text: "edited" }) }`)).data).toMatchObject({ update: { text: 'edited' } });
    expect(codeOf(await as('writer', `mutation { delete(table: "${NOTES}", id: "b1") }`))).toBe('FORBIDDEN');
  });
});

describe('row rules with $user.id', () => {
  it('ANDs the rule into queries, counts and reads by id', async () => {
    const list = await as<{ query: { id: string }[]; count: number }>('alice', `{ query(table: "${NOTES}", orderBy: [{ field: "id" }]) count(table: "${NOTES}") }`);
    expect(list.data?.query.map((doc) => doc.id)).toEqual(['a1', 'a2']);
    expect(list.data?.count).toBe(2);
    const byId = await as('alice', `{ document(table: "${NOTES}", id: "b1") documents(table: "${NOTES}", ids: ["a1", "b1"]) }`);
    expect(byId.data).toMatchObject({ document: null, documents: [{ id: 'a1' }, null] });
    const widened = await as<{ query: { id: string }[] }>('alice', `{ query(table: "${NOTES}", where: { or: [{ owner: "bob" }, { owner: "alice" }] }) }`);
    expect(widened.data?.query.map((doc) => doc.id).sort()).toEqual(['a1', 'a2']);
  });

  it('ANDs the rule into updates and deletes: another user\'s rows answer as missing and stay unchanged', async () => {
    expect(codeOf(await as('alice', `mutation { update(table: "${NOTES}", id: "b1", patch: { text: "hacked" }) }`))).toBe('NOT_FOUND');
    expect(codeOf(await as('alice', `mutation { replace(table: "${NOTES}", id: "b1", document: { owner: "alice" }) }`))).toBe('NOT_FOUND');
    expect((await as('alice', `mutation { delete(table: "${NOTES}", id: "b1") }`)).data).toEqual({ delete: null });
    expect((await as('alice', `mutation { deleteMany(table: "${NOTES}", all: true) { deleted } }`)).data).toEqual({ deleteMany: { deleted: 2 } });
    expect(await notes()).toEqual([seed[2]]);
  });

  it('checks the rule atomically with the write in the data layer (a row moved out of the rule meanwhile is NOT_FOUND)', async () => {
    const { documents } = gw.app.data;
    const aliceRule = { owner: { eq: 'alice' } };
    await expect(documents.update(testDb, NOTES, 'b1', { text: 'x' }, { guard: aliceRule })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(documents.replace(testDb, NOTES, 'b1', { owner: 'alice' }, aliceRule)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await notes()).toEqual(seed);
    expect(await documents.update(testDb, NOTES, 'a1', { text: 'ok' }, { guard: aliceRule })).toMatchObject({ id: 'a1', text: 'ok' });
    expect(await documents.replace(testDb, NOTES, 'a2', { owner: 'alice' }, aliceRule)).toEqual({ id: 'a2', owner: 'alice' });
  });

  it('refuses writes that would leave the rule: inserting for someone else, or giving a row away', async () => {
    const insert = await as('alice', `mutation { insert(table: "${NOTES}", documents: [{ id: "x", owner: "bob" }]) { inserted } }`);
    expect(codeOf(insert)).toBe('FORBIDDEN');
    const giveAway = await as('alice', `mutation { update(table: "${NOTES}", id: "a1", patch: { owner: "bob" }) }`);
    expect(codeOf(giveAway)).toBe('FORBIDDEN');
    expect(await notes()).toEqual(seed);
    const upsert = await as('alice', `mutation { insert(table: "${NOTES}", documents: [{ id: "b1", owner: "alice" }], conflict: REPLACE) { inserted } }`);
    expect(codeOf(upsert)).toBe('FORBIDDEN');
    expect(await notes()).toEqual(seed);
    const own = await as('alice', `mutation { insert(table: "${NOTES}", documents: [{ id: "a3", owner: "alice" }]) { inserted } }`);
    expect(own.data).toEqual({ insert: { inserted: 1 } });
  });

  it('ANDs the rule into subscriptions: other users\' rows are never sent, a row leaving the rule is a REMOVE', async () => {
    const clients = new WsClients();
    try {
      const client = clients.open(gw.app.url, { connectionParams: { authorization: (headers.alice as Record<string, string>).authorization } });
      const sub = subscribeWs<{ changes: { type: string; id: string | null; new: Record<string, unknown> | null } }>(
        client,
        `subscription { changes(table: "${NOTES}", includeInitial: true) { type id new } }`,
      );
      await sub.until((data) => data.some((event) => event.changes.type === 'READY'), 'READY');
      expect(sub.data.filter((event) => event.changes.type === 'INITIAL').map((event) => event.changes.id).sort()).toEqual(['a1', 'a2']);
      await as('admin', `mutation { insert(table: "${NOTES}", documents: [{ id: "b2", owner: "bob" }, { id: "a9", owner: "alice" }]) { inserted } }`);
      await as('admin', `mutation { update(table: "${NOTES}", id: "a1", patch: { owner: "bob" }) }`);
      await sub.until((data) => data.some((event) => event.changes.type === 'REMOVE'), 'the REMOVE of a1');
      const live = sub.data.map((event) => event.changes).filter((event) => !['INITIAL', 'READY'].includes(event.type));
      expect(live.map((event) => [event.type, event.id])).toEqual([['ADD', 'a9'], ['REMOVE', 'a1']]);
      sub.stop();
    } finally {
      await clients.closeAll();
    }
  });
});

describe('atomic update operators under row and field rules', () => {
  it('allows operators on other fields of the caller\'s own rows, refuses them on read-only fields and fields the row rule reads', async () => {
    const inc = await as<{ update: Record<string, unknown> }>('alice', `mutation { update(table: "${NOTES}", id: "a1", append: { tags: "x" }, setIfMissing: { views: 0 }) }`);
    expect(inc.data?.update).toMatchObject({ id: 'a1', tags: ['x'], views: 0 });
    expect(inc.data?.update).not.toHaveProperty('secret');
    const readonly = await as(`alice`, `mutation { update(table: "${NOTES}", id: "a1", inc: { score: 100 }) }`);
    expect(codeOf(readonly)).toBe('FORBIDDEN');
    expect(readonly.errors?.[0]?.message).toContain('"score"');
    const ruled = await as('alice', `mutation { update(table: "${NOTES}", id: "a1", unset: ["owner"]) }`);
    expect(codeOf(ruled)).toBe('FORBIDDEN');
    expect(ruled.errors?.[0]?.message).toContain('its row rule reads "owner"');
    expect(codeOf(await as('alice', `mutation { update(table: "${NOTES}", id: "b1", append: { tags: "x" }) }`))).toBe('NOT_FOUND');
    const stored = await notes();
    expect(stored?.find((note) => note.id === 'a1')).toMatchObject({ score: 1, owner: 'alice' });
    expect(stored?.find((note) => note.id === 'b1')).toEqual(seed[2]);
  });
});

describe('field rules', () => {
  it('strips hidden fields from queries, reads by id, mutation results and subscription events', async () => {
    const read = await as<{ query: Record<string, unknown>[]; document: Record<string, unknown> }>('alice', `{ query(table: "${NOTES}") document(table: "${NOTES}", id: "a1") }`);
    expect(read.data?.query.every((doc) => !('secret' in doc))).toBe(true);
    expect(read.data?.document).toEqual({ id: 'a1', owner: 'alice', text: 'mine', score: 1 });
    const updated = await as('alice', `mutation { update(table: "${NOTES}", id: "a1", patch: { text: "new" }) }`);
    expect(updated.data).toEqual({ update: { id: 'a1', owner: 'alice', text: 'new', score: 1 } });
    const clients = new WsClients();
    try {
      const client = clients.open(gw.app.url, { connectionParams: { authorization: (headers.alice as Record<string, string>).authorization } });
      const sub = subscribeWs<{ changes: { type: string; new: Record<string, unknown> | null } }>(client, `subscription { changes(table: "${NOTES}", id: "a2") { type new } }`);
      await sub.until((data) => data.some((event) => event.changes.type === 'READY'), 'READY');
      await as('admin', `mutation { update(table: "${NOTES}", id: "a2", patch: { text: "changed", secret: "s2" }) }`);
      await sub.until((data) => data.some((event) => event.changes.type === 'CHANGE'), 'CHANGE');
      expect(sub.data.find((event) => event.changes.type === 'CHANGE')?.changes.new).toEqual({ id: 'a2', owner: 'alice', text: 'changed', score: 2 });
      sub.stop();
    } finally {
      await clients.closeAll();
    }
  });

  it('refuses filters and sorts on hidden fields (they would reveal the values) and writes to read-only fields', async () => {
    expect(codeOf(await as('alice', `{ query(table: "${NOTES}", where: { secret: { startsWith: "s-a" } }) }`))).toBe('FORBIDDEN');
    expect(codeOf(await as('alice', `{ query(table: "${NOTES}", orderBy: [{ field: "secret" }]) }`))).toBe('FORBIDDEN');
    const write = await as('alice', `mutation { update(table: "${NOTES}", id: "a1", patch: { score: 100 }) }`);
    expect(codeOf(write)).toBe('FORBIDDEN');
    expect(write.errors?.[0]?.message).toContain('"score"');
    expect(await notes()).toEqual(seed);
  });
});

describe('RDM packets go through the same permissions', () => {
  const sockets = new SocketTracker();
  afterEach(() => sockets.closeAll());

  type RdmSend = (who: string, path: string, body: unknown) => Promise<{ reply: { status_code: number; response_message: unknown; error?: { code: string; message: string } } }>;
  const sendVia = (way: RdmWay): RdmSend => {
    const viaAs = (who: string) => rdmVia({ ...gw, gql: (query, variables) => as(who, query, variables) }, way, sockets);
    // The HTTP way reads its credential from the ?token= parameter here.
    const tokenOf = (who: string) => (headers[who] as Record<string, string>).authorization?.slice('Bearer '.length) ?? '';
    return (who, path, body) =>
      way === 'http'
        ? fetch(`http://127.0.0.1:${gw.app.port}/rdm${path}?token=${tokenOf(who)}`, { method: 'POST', body: JSON.stringify(body) }).then(async (response) => ({
            reply: (await response.json()) as Awaited<ReturnType<RdmSend>>['reply'],
          }))
        : viaAs(who)(path, body);
  };

  it.each<RdmWay>(['graphql', 'http'])('via %s: reader may not insert; a user sees only her rows, without hidden fields', async (way) => {
    const send = sendVia(way);
    const insert = await send('reader', '/insert', packet({ table: NOTES, data: { id: 'r1' } }));
    expect(insert.reply.error?.code).toBe('FORBIDDEN');
    const other = await send('alice', '/get', packet({ table: NOTES, identifier: 'b1' }));
    expect(other.reply.error?.code).toBe('NOT_FOUND');
    const all = await send('alice', '/get_all', packet({ table: NOTES }));
    expect(all.reply.response_message).toEqual(seed.filter((doc) => doc.owner === 'alice').map((doc) => Object.fromEntries(Object.entries(doc).filter(([field]) => field !== 'secret'))));
    const del = await send('alice', '/delete', packet({ table: NOTES, identifier: 'b1' }));
    expect(del.reply.error?.code).toBe('NOT_FOUND');
    expect(await notes()).toEqual(seed);
  });

  it.each<RdmWay>(['graphql', 'http'])('via %s: an RDM update refuses what the update mutation refuses, with the same code, and audits only what it runs', async (way) => {
    const send = sendVia(way);
    const packetId = `perm-update-${way}-${Date.now()}`;
    const audited = async () =>
      (await as<{ count: number }>('admin', `{ count(db: "${gw.dbs.audit}", table: "rethink_data_manager", where: { identifier: { eq: "${packetId}" } }) }`)).data?.count ?? 0;
    const rdmUpdate = (id: string, data: Record<string, unknown>) => send('alice', '/update', packet({ table: NOTES, identifier: id, data }, { id: packetId }));
    const gqlUpdate = (id: string, patch: Record<string, unknown>) =>
      as('alice', `mutation($id: ID!, $p: JSONObject!) { update(table: "${NOTES}", id: $id, patch: $p) }`, { id, p: patch });
    const before = await audited();
    // Another user's row answers as missing; giving a row away and writing a read-only field are forbidden.
    for (const [id, patch, code, says] of [
      ['b1', { text: 'hacked' }, 'NOT_FOUND', 'not found'],
      ['a1', { owner: 'bob' }, 'FORBIDDEN', 'outside its row rule'],
      ['a1', { score: 100 }, 'FORBIDDEN', '"score"'],
    ] as const) {
      const [rdm, gql] = [await rdmUpdate(id, patch), await gqlUpdate(id, patch)];
      expect([rdm.reply.error?.code, codeOf(gql)]).toEqual([code, code]);
      expect(rdm.reply.error?.message).toContain(says);
      expect(gql.errors?.[0]?.message).toContain(says);
    }
    expect(await notes()).toEqual(seed);
    expect(await audited()).toBe(before);
    const own = await rdmUpdate('a1', { text: 'edited' });
    expect(own.reply.response_message).toEqual({
      objects_updated: 1,
      changes: [{ new_val: { id: 'a1', owner: 'alice', text: 'edited', score: 1 }, old_val: { id: 'a1', owner: 'alice', text: 'mine', score: 1 } }],
    });
    expect(await audited()).toBe(before + 1);
    // delete_all, like deleteMany(all: true), deletes all of the caller's rows and only those.
    expect((await send('alice', '/delete_all', packet({ table: NOTES }))).reply.response_message).toEqual({ objects_deleted: 2 });
    expect(await notes()).toEqual([seed[2]]);
  });
});

describe('listing databases and tables', () => {
  it('shows a role only the databases and tables its rules name', async () => {
    const user = await as<{ databases: string[]; tables: { name: string }[] }>('alice', '{ databases tables { name } }');
    expect(user.data).toEqual({ databases: [testDb], tables: [{ name: NOTES }] });
    const reader = await as<{ tables: { name: string }[] }>('reader', '{ tables { name } }');
    expect(reader.data?.tables.map((table) => table.name)).toContain(NOTES);
    expect(codeOf(await as('alice', '{ tables(db: "AUDIT") { name } }'))).toBe('FORBIDDEN');
    expect((await as<{ databases: string[] }>('nobody', '{ databases }')).data).toEqual({ databases: [] });
  });
});

describe('admin permission', () => {
  it('is needed to create and drop tables', async () => {
    const table = uniqueTable('perm');
    expect(codeOf(await as('writer', `mutation { createTable(table: "${table}") { name } }`))).toBe('FORBIDDEN');
    expect((await as('admin', `mutation { createTable(table: "${table}") { name } }`)).data).toEqual({ createTable: { name: table } });
    expect(codeOf(await as('writer', `mutation { dropTable(table: "${table}") { name } }`))).toBe('FORBIDDEN');
  });
});
