import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, securityFrom, token } from './support/auth.js';
import { startTestGateway, testDb, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { subscribeSse, subscribeWs, WsClients, type Collector } from './support/subscriptions.js';

// Identical subscriptions share one execution and one serialized payload per event
// (src/graphql/shared-execution.ts). The proof: in one run, cohorts of identical subscribers
// (graphql-ws and SSE) next to subscribers that differ by selection, variables, role, hidden
// fields or row rule; each cohort also has a reference subscriber whose operation is the same but
// written with an extra space, so it is another cohort and executes every event on its own.
// Every member must receive exactly what its reference received (data and resume tokens, in
// order), and what it received must be right for its view.
const TABLE = 'shared_exec';
const T = `${testDb}.${TABLE}`;
const rules = {
  viewer: { [T]: { read: true, subscribe: true, hiddenFields: ['secret'] } },
  owner: { [T]: { read: true, subscribe: true, rows: { owner: { eq: '$user.id' } } } },
};

const CHANGES = `subscription($w: JSONObject) { changes(table: "${TABLE}", where: $w) { type id new resumeToken } }`;
const ALL_CHANGES = `subscription { changes(table: "${TABLE}") { type id old new } }`;
const IDS_ONLY = `subscription { changes(table: "${TABLE}") { id type } }`;
const TOP2 = `subscription { live(table: "${TABLE}", orderBy: [{ field: "score", direction: DESC }], limit: 2) { documents resumeToken } }`;

/** The same operation as another cohort: one more space in the document. */
const alone = (query: string) => query.replace('subscription', 'subscription ');

let gw: TestGateway;
const tokens: Record<string, string> = {};
const clients = new WsClients();
const open: Collector<Record<string, unknown>>[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules) }) });
  for (const [who, claims] of Object.entries({ admin: { role: 'admin', sub: 'root' }, viewer: { role: 'viewer', sub: 'vic' }, alice: { role: 'owner', sub: 'alice' }, bob: { role: 'owner', sub: 'bob' } })) {
    tokens[who] = await token(claims);
  }
  await adminOk(`mutation { createTable(table: "${TABLE}") { name } }`, {});
});
afterEach(async () => {
  open.splice(0).forEach((subscription) => subscription.stop());
  await clients.closeAll();
});
afterAll(() => gw?.close());

const adminOk = async (query: string, variables: Record<string, unknown>) => {
  const response = await fetch(gw.app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens.admin as string) }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as GraphQLResponse;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
const executions = async () => (await gw.app.metrics.eventExecutions.get()).values[0]?.value ?? 0;

interface Cohort {
  name: string;
  members: Collector<Record<string, unknown>>[];
  reference: Collector<Record<string, unknown>>;
  /** Ids of the final writes this cohort must see before it is compared. */
  finals: string[];
}

/** `members` graphql-ws subscribers and `sse` SSE subscribers of one operation as `who`, plus its reference. */
function cohort(name: string, who: string, query: string, variables: Record<string, unknown> | undefined, finals: string[], members = 3, sse = 2): Cohort {
  const ws = () => subscribeWs(clients.open(gw.app.url, { connectionParams: { token: tokens[who] } }), query, variables);
  const all = [...Array.from({ length: members }, ws), ...Array.from({ length: sse }, () => subscribeSse(gw.app.url, query, variables, bearer(tokens[who] as string)))];
  const reference = subscribeWs(clients.open(gw.app.url, { connectionParams: { token: tokens[who] } }), alone(query), variables);
  open.push(...all, reference);
  return { name, members: all, reference, finals };
}

const seen = (results: GraphQLResponse[], id: string) => JSON.stringify(results).includes(`"${id}"`);

describe('shared execution of identical subscriptions', () => {
  it('sends every subscriber exactly what its own execution sends: selections, variables, roles, hidden fields and row rules in one run', async () => {
    await adminOk(`mutation($d: [JSONObject!]!) { insert(table: "${TABLE}", documents: $d) { inserted } }`, {
      d: [
        { id: 'a', owner: 'alice', kind: 'x', score: 10, secret: 's-a' },
        { id: 'b', owner: 'bob', kind: 'y', score: 20, secret: 's-b' },
      ],
    });
    const cohorts = [
      cohort('admin x', 'admin', CHANGES, { w: { kind: { eq: 'x' } } }, ['end-x']),
      cohort('admin y', 'admin', CHANGES, { w: { kind: { eq: 'y' } } }, ['end-y'], 2, 1),
      cohort('viewer x (secret hidden)', 'viewer', CHANGES, { w: { kind: { eq: 'x' } } }, ['end-x']),
      cohort('alice (row rule)', 'alice', ALL_CHANGES, undefined, ['end-x'], 2, 1),
      cohort('bob (row rule)', 'bob', ALL_CHANGES, undefined, ['end-y'], 2, 0),
      cohort('admin ids only', 'admin', IDS_ONLY, undefined, ['end-x', 'end-y'], 2, 0),
      cohort('admin live top 2', 'admin', TOP2, undefined, ['end-x', 'end-y'], 2, 1),
      cohort('viewer live top 2', 'viewer', TOP2, undefined, ['end-x', 'end-y'], 2, 1),
    ];
    // Everyone is live (READY, or a first live result) before the writes.
    for (const { members, reference } of cohorts) {
      for (const subscription of [...members, reference]) await subscription.until((data) => data.length > 0, 'the first result');
    }
    const before = await executions();

    const write = (query: string, variables: Record<string, unknown>) => adminOk(query, variables);
    await write(`mutation($d: [JSONObject!]!) { insert(table: "${TABLE}", documents: $d) { inserted } }`, { d: [{ id: 'c', owner: 'alice', kind: 'x', score: 30, secret: 's-c' }] });
    await write(`mutation { update(table: "${TABLE}", id: "a", patch: { score: 40, secret: "s-a2" }) }`, {});
    // Alice's document becomes Bob's: a REMOVE for alice's subscribers, an ADD for bob's.
    await write(`mutation { update(table: "${TABLE}", id: "c", patch: { owner: "bob" }) }`, {});
    await write(`mutation { update(table: "${TABLE}", id: "b", patch: { kind: "x" }) }`, {});
    await write(`mutation { delete(table: "${TABLE}", id: "a") }`, {});
    await write(`mutation($d: [JSONObject!]!) { insert(table: "${TABLE}", documents: $d) { inserted } }`, {
      d: [
        { id: 'end-x', owner: 'alice', kind: 'x', score: 1000, secret: 's-x' },
        { id: 'end-y', owner: 'bob', kind: 'y', score: 999, secret: 's-y' },
      ],
    });

    let delivered = 0;
    for (const { name, members, reference, finals } of cohorts) {
      await reference.until((_data, results) => finals.every((id) => seen(results, id)), `${name}: the final writes`);
      for (const member of members) {
        await member.until((_data, results) => results.length >= reference.results.length, `${name}: as many results as its reference`);
        expect(member.results, name).toEqual(reference.results);
      }
      delivered += (members.length + 1) * reference.results.length;
    }

    // Each view got what it may see.
    const flat = (cohortIndex: number) => JSON.stringify(cohorts[cohortIndex]?.reference.results);
    expect(flat(0)).toContain('"secret":"s-a2"');
    expect(flat(2)).not.toContain('secret');
    expect(flat(2)).toContain('"score":40');
    expect(flat(7)).not.toContain('secret');
    const aliceEvents = cohorts[3]?.reference.data.map((data) => data.changes as { type: string; id: string });
    expect(aliceEvents).toContainEqual(expect.objectContaining({ type: 'REMOVE', id: 'c' }));
    expect(JSON.stringify(cohorts[3]?.reference.results)).not.toContain('"end-y"');
    const bobEvents = cohorts[4]?.reference.data.map((data) => data.changes as { type: string; id: string });
    expect(bobEvents).toContainEqual(expect.objectContaining({ type: 'ADD', id: 'c' }));
    expect(JSON.stringify(cohorts[4]?.reference.results)).not.toContain('"end-x"');
    // Resume tokens travel with shared results too (selected, and in extensions).
    const tokensOf = cohorts[0]?.members[0]?.results.map((result) => result.extensions?.resumeToken);
    expect(tokensOf?.every((value) => typeof value === 'string')).toBe(true);

    // And it was shared: two executions per event (a cohort and its reference), not one per subscriber.
    const ran = (await executions()) - before;
    expect(ran).toBeLessThan(delivered / 2);
  });
});
