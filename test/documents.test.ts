import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDb, startTestGateway, testDb, uniqueTable, type TestGateway } from './support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

async function tableWith(docs: Record<string, unknown>[], primaryKey?: string): Promise<string> {
  const table = uniqueTable();
  await gw.ok(`mutation($t: String!, $pk: String) { createTable(table: $t, primaryKey: $pk) { name } }`, { t: table, pk: primaryKey });
  if (docs.length) await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
  return table;
}

const players = [
  { id: 'p1', name: 'Ada', score: 30, team: { name: 'red', size: 3 }, tags: ['pro', 'eu'] },
  { id: 'p2', name: 'Bob', score: 10, team: { name: 'blue', size: 2 }, tags: ['eu'] },
  { id: 'p3', name: 'Cy', score: 20, team: null, tags: [] },
  { id: 'p4', name: 'Dee', score: '20' },
  { id: 'p5', name: 'Eve', score: 50, team: { name: 'red', size: 3 } },
];

describe('databases and tables', () => {
  it('creates the default database at start and lists it, never the system database', async () => {
    const data = await gw.ok<{ databases: string[] }>('{ databases }');
    expect(data.databases).toContain(testDb);
    expect(data.databases).not.toContain('rethinkdb');
  });

  it('creates, lists and drops tables and databases', async () => {
    const shop = scratchDb('shop');
    await gw.ok('mutation($db: String!) { createDatabase(db: $db) }', { db: shop });
    const created = await gw.ok<{ createTable: unknown }>('mutation($db: String!) { createTable(db: $db, table: "orders", primaryKey: "code") { db name primaryKey } }', { db: shop });
    expect(created.createTable).toEqual({ db: shop, name: 'orders', primaryKey: 'code' });
    const listed = await gw.ok<{ tables: { name: string }[] }>('query($db: String!) { tables(db: $db) { name primaryKey } }', { db: shop });
    expect(listed.tables).toEqual([{ name: 'orders', primaryKey: 'code' }]);
    await gw.ok('mutation($db: String!) { dropTable(db: $db, table: "orders") { name } }', { db: shop });
    expect((await gw.ok<{ tables: unknown[] }>('query($db: String!) { tables(db: $db) { name } }', { db: shop })).tables).toEqual([]);
  });

  it('says CONFLICT when a table or database already exists', async () => {
    const table = await tableWith([]);
    const again = await gw.gql(`mutation { createTable(table: "${table}") { name } }`);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toContain(table);
    const db = await gw.gql('mutation($db: String!) { createDatabase(db: $db) }', { db: testDb });
    expect(db.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('creates a secondary index on a nested field', async () => {
    const table = await tableWith(players);
    const data = await gw.ok<{ createIndex: { indexes: string[] } }>(`mutation { createIndex(table: "${table}", field: "team.name") { indexes } }`);
    expect(data.createIndex.indexes).toContain('team_name');
  });

  it.each([
    ['a table name with a dash', 'mutation { createTable(table: "bad-name") { name } }', 'bad-name'],
    ['a table name starting with a digit', 'mutation { createTable(table: "1abc") { name } }', '1abc'],
    ['the system database', '{ tables(db: "rethinkdb") { name } }', 'rethinkdb'],
    ['a database name with a space', '{ document(db: "a b", table: "x", id: "1") }', 'a b'],
    ['an empty table name', '{ count(table: "") }', '""'],
  ])('rejects %s before any query', async (_label, query, named) => {
    const before = gw.app.data.pool.queryCount;
    const result = await gw.gql(query);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(named);
    expect(gw.app.data.pool.queryCount).toBe(before);
  });

  it('answers NOT_FOUND naming the db and table for a missing table or database', async () => {
    const table = await gw.gql('{ document(table: "missing_table", id: "1") }');
    expect(table.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', database: testDb, table: 'missing_table' });
    expect(table.errors?.[0]?.message).toBe(`table "missing_table" does not exist in database "${testDb}"`);
    const db = await gw.gql('{ tables(db: "nowhere") { name } }');
    expect(db.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(db.errors?.[0]?.message).toContain('nowhere');
  });
});

describe('reads', () => {
  let table: string;
  beforeAll(async () => {
    table = await tableWith(players);
  });

  it('gets one document, or null when absent', async () => {
    const data = await gw.ok(`{ a: document(table: "${table}", id: "p1") b: document(table: "${table}", id: "nope") }`);
    expect(data).toEqual({ a: players[0], b: null });
  });

  it('gets documents in the order of ids with null for missing ones', async () => {
    const data = await gw.ok<{ documents: unknown[] }>(`{ documents(table: "${table}", ids: ["p3", "zz", "p1", "p3"]) }`);
    expect(data.documents).toEqual([players[2], null, players[0], players[2]]);
  });

  it('finds documents keyed by numbers through a GraphQL ID', async () => {
    const numeric = await tableWith([{ id: 7, n: 'seven' }, { id: '8', n: 'eight' }]);
    const data = await gw.ok(`{ a: document(table: "${numeric}", id: 7) b: document(table: "${numeric}", id: "8") c: documents(table: "${numeric}", ids: [7, 8, 9]) }`);
    expect(data).toEqual({ a: { id: 7, n: 'seven' }, b: { id: '8', n: 'eight' }, c: [{ id: 7, n: 'seven' }, { id: '8', n: 'eight' }, null] });
  });

  it('filters, orders and pages', async () => {
    const run = async (args: string, where?: unknown) =>
      (await gw.ok<{ query: { id: string }[] }>(`query($w: JSONObject) { query(table: "${table}", where: $w, ${args}) }`, { w: where })).query.map(
        (doc) => doc.id,
      );
    expect(await run('orderBy: [{ field: "score", direction: DESC }]', { score: { gte: 20 } })).toEqual(['p5', 'p1', 'p3']);
    expect(await run('orderBy: [{ field: "id" }]', { 'team.name': 'red' })).toEqual(['p1', 'p5']);
    expect(await run('orderBy: [{ field: "id" }]', { or: [{ tags: { contains: 'pro' } }, { name: { startsWith: 'D' } }] })).toEqual(['p1', 'p4']);
    expect(await run('orderBy: [{ field: "id" }]', { not: { team: { exists: true } } })).toEqual(['p3', 'p4']);
    expect(await run('orderBy: [{ field: "name", direction: DESC }]', { name: { match: '^[A-C]' } })).toEqual(['p3', 'p2', 'p1']);
    expect(await run('orderBy: [{ field: "team.size" }, { field: "id", direction: DESC }]', { score: { in: [10, 50] } })).toEqual(['p2', 'p5']);
    expect(await run('orderBy: [{ field: "id" }], limit: 2, offset: 1')).toEqual(['p2', 'p3']);
    expect(await run('limit: 0')).toEqual([]);
  });

  it('orders by the primary key when no order is given, so pages are stable', async () => {
    const data = await gw.ok<{ query: { id: string }[] }>(`{ query(table: "${table}", limit: 3) }`);
    expect(data.query.map((doc) => doc.id)).toEqual(['p1', 'p2', 'p3']);
  });

  it('counts with and without a filter', async () => {
    const data = await gw.ok(`{ all: count(table: "${table}") some: count(table: "${table}", where: { score: { gt: 15 } }) }`);
    expect(data).toEqual({ all: 5, some: 3 });
  });

  it('applies the default limit and refuses one above the maximum', async () => {
    const small = await startTestGateway({ defaultLimit: 2, maxLimit: 3 });
    try {
      const many = await tableWithOn(small, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      const data = await small.ok<{ query: unknown[] }>(`{ query(table: "${many}") }`);
      expect(data.query).toHaveLength(2);
      const tooMany = await small.gql(`{ query(table: "${many}", limit: 4) }`);
      expect(tooMany.errors?.[0]).toMatchObject({ message: 'limit 4 exceeds the maximum of 3', extensions: { code: 'BAD_USER_INPUT' } });
      const ids = await small.gql(`{ documents(table: "${many}", ids: ["a", "b", "c", "d"]) }`);
      expect(ids.errors?.[0]?.message).toContain('maximum is 3');
    } finally {
      await small.close();
    }
  });

  it.each([
    ['an unknown operator', '{ score: { gtt: 1 } }', 'gtt'],
    ['in without an array', '{ score: { in: 3 } }', 'in'],
    ['a bad regular expression', '{ name: { match: "(" } }', 'name'],
    ['a non-object where', '[1]', 'JSONObject'],
  ])('rejects %s with an error naming it', async (_label, where, named) => {
    const result = await gw.gql(`{ query(table: "${table}", where: ${where}) }`);
    expect(result.data).toBeFalsy();
    expect(result.errors?.[0]?.extensions?.code).toMatch(/^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
    expect(result.errors?.[0]?.message).toContain(named);
  });

  it('rejects a negative offset and a bad orderBy field path', async () => {
    const offset = await gw.gql(`{ query(table: "${table}", offset: -1) }`);
    expect(offset.errors?.[0]?.message).toContain('offset');
    const path = await gw.gql(`{ query(table: "${table}", orderBy: [{ field: "a..b" }]) }`);
    expect(path.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(path.errors?.[0]?.message).toContain('a..b');
  });

  it('rejects wrong argument types', async () => {
    const result = await gw.gql(`{ query(table: "${table}", limit: "ten") }`);
    expect(result.errors?.[0]?.message).toMatch(/Int/);
  });
});

async function tableWithOn(gateway: TestGateway, docs: Record<string, unknown>[]): Promise<string> {
  const table = uniqueTable();
  await gateway.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  await gateway.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
  return table;
}

describe('writes', () => {
  it('inserts, generating ids, and returns the stored documents in input order', async () => {
    const table = await tableWith([]);
    const data = await gw.ok<{ insert: { inserted: number; generatedKeys: string[]; documents: { id: string; n: number }[] } }>(
      `mutation($t: String!) { insert(table: $t, documents: [{ n: 1 }, { id: "given", n: 2 }, { n: 3 }]) { inserted generatedKeys documents } }`,
      { t: table },
    );
    expect(data.insert.inserted).toBe(3);
    expect(data.insert.generatedKeys).toHaveLength(2);
    expect(data.insert.documents.map((doc) => doc.n)).toEqual([1, 2, 3]);
    expect(data.insert.documents.map((doc) => doc.id)).toEqual([data.insert.generatedKeys[0], 'given', data.insert.generatedKeys[1]]);
    const read = await gw.ok<{ document: unknown }>(`{ document(table: "${table}", id: "${data.insert.generatedKeys[1]}") }`);
    expect(read.document).toEqual(data.insert.documents[2]);
  });

  it('refuses an insert with an existing key as a whole: CONFLICT, nothing written', async () => {
    const table = await tableWith([{ id: 'a', v: 1 }]);
    const result = await gw.gql(`mutation { insert(table: "${table}", documents: [{ id: "new", v: 2 }, { id: "a", v: 3 }]) { inserted } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(result.errors?.[0]?.message).toContain('"a"');
    expect(await gw.ok(`{ count(table: "${table}") a: document(table: "${table}", id: "a") }`)).toEqual({ count: 1, a: { id: 'a', v: 1 } });
  });

  it('refuses a batch that repeats a key, and documents that are not objects', async () => {
    const table = await tableWith([]);
    const twice = await gw.gql(`mutation { insert(table: "${table}", documents: [{ id: "x" }, { id: "x" }]) { inserted } }`);
    expect(twice.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const scalar = await gw.gql(`mutation { insert(table: "${table}", documents: [5]) { inserted } }`);
    expect(scalar.errors?.[0]?.message).toMatch(/JSONObject|object/);
    const none = await gw.gql(`mutation { insert(table: "${table}", documents: []) { inserted } }`);
    expect(none.errors?.[0]?.message).toContain('at least one');
    expect((await gw.ok<{ count: number }>(`{ count(table: "${table}") }`)).count).toBe(0);
  });

  it('refuses RethinkDB pseudo-types ($reql_type$) in written documents, which reqlite would store mangled', async () => {
    const table = await tableWith([{ id: 'a', v: 1 }]);
    const binary = { $reql_type$: 'BINARY', data: 'AAAA' };
    const insert = await gw.gql('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: [{ id: 'b' }, binary] });
    expect(insert.errors?.[0]).toMatchObject({ message: expect.stringContaining('document 1 holds a "$reql_type$" key'), extensions: { code: 'BAD_USER_INPUT' } });
    const update = await gw.gql('mutation($t: String!, $p: JSONObject!) { update(table: $t, id: "a", patch: $p) }', { t: table, p: { at: [binary] } });
    expect(update.errors?.[0]?.message).toContain('patch.at[0]');
    const replace = await gw.gql('mutation($t: String!, $d: JSONObject!) { replace(table: $t, id: "a", document: $d) }', { t: table, d: { x: binary } });
    expect(replace.errors?.[0]?.message).toContain('document.x');
    expect(await gw.ok(`{ count(table: "${table}") a: document(table: "${table}", id: "a") }`)).toEqual({ count: 1, a: { id: 'a', v: 1 } });
  });

  it('refuses a "__proto__" key in a written document (it would be lost on the way back), writing nothing', async () => {
    const table = await tableWith([{ id: 'a', v: 1 }]);
    const documents = [{ id: 'b' }, JSON.parse('{"id": "c", "meta": {"__proto__": {"admin": true}}}') as object];
    const insert = await gw.gql('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: documents });
    expect(insert.errors?.[0]).toMatchObject({ message: expect.stringContaining('document 1.meta holds a "__proto__" key'), extensions: { code: 'BAD_USER_INPUT' } });
    expect((await gw.ok<{ count: number }>(`{ count(table: "${table}") }`)).count).toBe(1);
  });

  it('refuses a document nested deeper than RethinkDB allows, writing nothing', async () => {
    const table = await tableWith([]);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 25; i++) deep = { child: deep };
    const result = await gw.gql('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: [deep] });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.errors?.[0]?.message).toContain('nested too deeply');
    expect((await gw.ok<{ count: number }>(`{ count(table: "${table}") }`)).count).toBe(0);
    // The deepest accepted document (18 levels) is stored whole.
    let deepest: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 17; i++) deepest = { child: deepest };
    await gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: [{ id: 'deep', ...deepest }] });
    expect((await gw.ok<{ document: unknown }>(`{ document(table: "${table}", id: "deep") }`)).document).toEqual({ id: 'deep', ...deepest });
  });

  it('upserts with conflict REPLACE and UPDATE', async () => {
    const table = await tableWith([{ id: 'a', v: 1, keep: true }]);
    const replaced = await gw.ok<{ insert: { replaced: number; documents: unknown[] } }>(
      `mutation { insert(table: "${table}", documents: [{ id: "a", v: 2 }], conflict: REPLACE) { replaced documents } }`,
    );
    expect(replaced.insert).toEqual({ replaced: 1, documents: [{ id: 'a', v: 2 }] });
    const merged = await gw.ok<{ insert: { documents: unknown[] } }>(
      `mutation { insert(table: "${table}", documents: [{ id: "a", w: 3 }], conflict: UPDATE) { documents } }`,
    );
    expect(merged.insert.documents).toEqual([{ id: 'a', v: 2, w: 3 }]);
  });

  it('updates by deep merge, replaces, and deletes, returning documents', async () => {
    const table = await tableWith([{ id: 'a', profile: { name: 'Ada', age: 36 }, score: 1 }]);
    const updated = await gw.ok<{ update: unknown }>(`mutation { update(table: "${table}", id: "a", patch: { profile: { age: 37 }, score: 2 }) }`);
    expect(updated.update).toEqual({ id: 'a', profile: { name: 'Ada', age: 37 }, score: 2 });
    const replaced = await gw.ok<{ replace: unknown }>(`mutation { replace(table: "${table}", id: "a", document: { only: true }) }`);
    expect(replaced.replace).toEqual({ id: 'a', only: true });
    const deleted = await gw.ok<{ delete: unknown }>(`mutation { delete(table: "${table}", id: "a") }`);
    expect(deleted.delete).toEqual({ id: 'a', only: true });
    const again = await gw.ok<{ delete: unknown; document: unknown }>(`mutation { delete(table: "${table}", id: "a") } `);
    expect(again.delete).toBeNull();
  });

  it('says NOT_FOUND when updating or replacing a missing document, and writes nothing', async () => {
    const table = await tableWith([]);
    for (const op of ['update(table: $t, id: "ghost", patch: { a: 1 })', 'replace(table: $t, id: "ghost", document: { a: 1 })']) {
      const result = await gw.gql(`mutation($t: String!) { ${op} }`, { t: table });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', id: 'ghost' });
    }
    expect((await gw.ok<{ count: number }>(`{ count(table: "${table}") }`)).count).toBe(0);
  });

  it('refuses to change the primary key', async () => {
    const table = await tableWith([{ id: 'a', v: 1 }]);
    const update = await gw.gql(`mutation { update(table: "${table}", id: "a", patch: { id: "b" }) }`);
    expect(update.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const replace = await gw.gql(`mutation { replace(table: "${table}", id: "a", document: { id: "b" }) }`);
    expect(replace.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await gw.ok(`{ document(table: "${table}", id: "a") }`)).document).toEqual({ id: 'a', v: 1 });
  });

  it('deletes many by filter, or all only when asked explicitly', async () => {
    const table = await tableWith(players);
    const noWhere = await gw.gql(`mutation { deleteMany(table: "${table}") { deleted } }`);
    expect(noWhere.errors?.[0]?.message).toContain('where');
    const some = await gw.ok<{ deleteMany: { deleted: number } }>(`mutation($w: JSONObject) { deleteMany(table: "${table}", where: $w) { deleted } }`, {
      w: { 'team.name': 'red' },
    });
    expect(some.deleteMany.deleted).toBe(2);
    const all = await gw.ok<{ deleteMany: { deleted: number } }>(`mutation { deleteMany(table: "${table}", all: true) { deleted } }`);
    expect(all.deleteMany.deleted).toBe(3);
  });
});
