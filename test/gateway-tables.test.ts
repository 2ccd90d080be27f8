import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { scratchDb, startTestGateway, testDb, uniqueTable, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { packet, type RdmReplyBody } from './support/rdm.js';

// The gateway's own tables (channel events, RDM audit trail) hold every user's events and
// packets: a wildcard grant must not reach them, only a rule naming the table does; and the audit
// trail keeps no value of a field hidden from the sender's role.
const eventsDb = scratchDb('own_events');
const auditDb = scratchDb('own_audit');
const AUDIT_TABLE = 'rethink_data_manager';
const rules = {
  wild: { '*.*': { read: true, insert: true, update: true, delete: true, subscribe: true, admin: true } },
  auditor: { [`${auditDb}.${AUDIT_TABLE}`]: { read: true } },
  user: { [`${testDb}.*`]: { read: true, insert: true, hiddenFields: ['secret'] } },
};
const CHANNELS = JSON.stringify({ 'user/*': { kind: 'direct', publishers: ['service'] } });

let gw: TestGateway;
const headers: Record<string, Record<string, string>> = {};
const as = <T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
  post<T>(gw, query, variables, headers[who] as Record<string, string>).then((answer) => answer.body);
const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  const security = securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules), CHANNELS });
  gw = await startTestGateway({ security, eventsDb, rdmAuditDb: auditDb });
  for (const [who, claims] of Object.entries({
    admin: { role: 'admin', sub: 'root' },
    wild: { role: 'wild', sub: 'mallory' },
    auditor: { role: 'auditor', sub: 'audrey' },
    alice: { role: 'user', sub: 'alice' },
    service: { role: 'service' },
  })) {
    headers[who] = bearer(await token(claims));
  }
});
afterAll(() => gw?.close());

describe("the gateway's own tables", () => {
  it('no `*.*` grant reads, forges, changes or drops channel events', async () => {
    const sent = await as('service', 'mutation { publish(channel: "user/bob", data: { text: "for bob only" }) { publisher } }');
    expect(sent.errors).toBeUndefined();
    const events = `db: "${eventsDb}", table: "events"`;
    expect((await as<{ query: unknown[] }>('admin', `{ query(${events}) }`)).data?.query.length).toBeGreaterThan(0);
    for (const query of [
      `{ query(${events}) }`,
      `{ count(${events}) }`,
      `mutation { insert(${events}, documents: [{ channel: "user/bob", data: "forged", publisher: "service" }]) { inserted } }`,
      `mutation { deleteMany(${events}, all: true) { deleted } }`,
      `mutation { dropTable(${events}) { name } }`,
    ]) {
      expect(codeOf(await as('wild', query)), query).toBe('FORBIDDEN');
    }
    expect((await as<{ tables: { name: string }[] }>('wild', `{ tables(db: "${eventsDb}") { name } }`)).data?.tables ?? []).toEqual([]);
    // Elsewhere the wildcard still grants.
    const table = uniqueTable('wild');
    expect((await as('wild', `mutation { createTable(table: "${table}") { name } }`)).errors).toBeUndefined();
    expect((await as('wild', `{ count(table: "${table}") }`)).data).toEqual({ count: 0 });
  });

  it('the audit trail is read only with a rule naming it, and keeps no hidden field', async () => {
    const table = uniqueTable('audited');
    expect((await as('admin', `mutation { createTable(table: "${table}") { name } }`)).errors).toBeUndefined();
    const id = `audit-hidden-${Date.now()}`;
    const doc = { id: 'n1', text: 'hello', secret: 'the-password' };
    const response = await fetch(`http://127.0.0.1:${gw.app.port}/rdm/insert`, {
      method: 'POST',
      headers: headers.alice,
      body: JSON.stringify(packet({ table, data: doc }, { id })),
    });
    expect(((await response.json()) as RdmReplyBody).response_message).toMatchObject({ inserted: 1 });
    expect((await as('admin', `{ document(table: "${table}", id: "n1") }`)).data).toEqual({ document: doc });
    const trail = `{ query(db: "${auditDb}", table: "${AUDIT_TABLE}", where: { identifier: { eq: "${id}" } }) }`;
    expect(codeOf(await as('wild', trail))).toBe('FORBIDDEN');
    const rows = (await as<{ query: { payload: { data: unknown } }[] }>('auditor', trail)).data?.query;
    expect(rows?.map((row) => row.payload.data)).toEqual([{ id: 'n1', text: 'hello' }]);
    expect(JSON.stringify(rows)).not.toContain('the-password');
  });
});
