import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { testDb, uniqueTable } from './support/gateway.js';
import { subscribeWs, subscriptionSuite, type Collector } from './support/subscriptions.js';

// liveAggregate: kept from the table feed, equal at every step to a fresh `aggregate`, and
// within the subscriber's row rule; hidden fields are refused by name.

type Group = { key: Record<string, unknown>; count: number; sum: Record<string, unknown>; avg: Record<string, unknown>; min: Record<string, unknown>; max: Record<string, unknown> };
type LiveData = { liveAggregate: { groups: Group[] } };

const TABLE = uniqueTable('live_agg');
const RULED = 'live_agg_ruled';
const rules = {
  member: { [`${testDb}.${RULED}`]: { read: true, subscribe: true, rows: { boardId: { eq: '$claims.board' } }, hiddenFields: ['secret'] } },
};
const suite = subscriptionSuite({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules) }) });
const headers: Record<string, Record<string, string>> = {};

const FIELDS = '$t: String!, $w: JSONObject, $g: [String!], $f: AggregateFieldsInput, $limit: Int';
const ARGS = 'table: $t, where: $w, groupBy: $g, fields: $f, limit: $limit';
const SELECTION = '{ groups { key count sum avg min max } }';
const ALL = { sum: ['score'], avg: ['score'], min: ['score'], max: ['score'] };

const as = async <T>(who: string, query: string, variables: Record<string, unknown>) => (await post<T>(suite.gw, query, variables, headers[who] as Record<string, string>)).body;
const admin = async (query: string, variables: Record<string, unknown> = {}) => {
  const result = await as('admin', query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
};
const fresh = async (who: string, variables: Record<string, unknown>) =>
  (await as<{ aggregate: { groups: Group[] } }>(who, `query(${FIELDS}) { aggregate(${ARGS}) ${SELECTION} }`, variables)).data?.aggregate.groups;
const live = (who: string, variables: Record<string, unknown>): Collector<LiveData> => {
  const credential = headers[who]?.authorization?.slice('Bearer '.length);
  const client = suite.clients.open(suite.gw.app.url, { connectionParams: { authorization: `Bearer ${credential}` } });
  return suite.track(subscribeWs<LiveData>(client, `subscription(${FIELDS}) { liveAggregate(${ARGS}) ${SELECTION} }`, variables));
};
const latest = (subscription: Collector<LiveData>) => JSON.stringify(subscription.data.at(-1)?.liveAggregate.groups);

/** Waits until the live aggregate equals a fresh query's answer. */
async function settles(subscription: Collector<LiveData>, who: string, variables: Record<string, unknown>, what: string): Promise<void> {
  const expected = JSON.stringify(await fresh(who, variables));
  await subscription.until(() => latest(subscription) === expected, `${what}: ${expected}`);
}

beforeAll(async () => {
  for (const [who, claims] of Object.entries({ admin: { role: 'admin', sub: 'root' }, b1: { role: 'member', sub: 'm1', board: 'b1' } })) {
    headers[who] = bearer(await token(claims));
  }
  for (const t of [TABLE, RULED]) await admin(`mutation($t: String!) { createTable(table: $t) { name } }`, { t });
});

describe('liveAggregate', () => {
  it('follows inserts, moves between groups, non-numbers, deletes and the min row leaving, equal to aggregate at each step', async () => {
    const variables = { t: TABLE, g: ['boardId'], f: ALL };
    const subscription = live('admin', variables);
    await settles(subscription, 'admin', variables, 'empty');
    const steps = [
      `insert(table: $t, documents: [{ id: "a", boardId: "b1", score: 10 }, { id: "b", boardId: "b1", score: 30 }, { id: "c", boardId: "b2", score: 5 }]) { inserted }`,
      `update(table: $t, id: "a", patch: { boardId: "b2" })`, // moves between groups: b1's min row leaves
      `update(table: $t, id: "c", patch: { score: "five" })`, // no longer a number: b2's min row leaves
      `insert(table: $t, documents: [{ id: "d", score: 1 }]) { inserted }`, // the null group
      `update(table: $t, id: "b", patch: { score: 2 })`, // the max falls
      `delete(table: $t, id: "a")`,
      `update(table: $t, id: "c", patch: { note: "x" })`, // changes nothing the aggregate reads
      `delete(table: $t, id: "b")`, // b1 empties and disappears
    ];
    for (const step of steps) {
      await admin(`mutation($t: String!) { ${step} }`, { t: TABLE });
      await settles(subscription, 'admin', variables, step);
    }
    // One result per visible change: the first (empty), one per inserted row, none for the note on "c".
    expect(subscription.data).toHaveLength(1 + 3 + (steps.length - 2));
    expect(subscription.data.at(-1)?.liveAggregate.groups).toEqual([
      { key: { boardId: null }, count: 1, sum: { score: 1 }, avg: { score: 1 }, min: { score: 1 }, max: { score: 1 } },
      { key: { boardId: 'b2' }, count: 1, sum: { score: null }, avg: { score: null }, min: { score: null }, max: { score: null } },
    ]);
  });

  it('ends with BAD_USER_INPUT when there are more groups than limit', async () => {
    await admin(`mutation($t: String!) { insert(table: $t, documents: [{ id: "l1", boardId: "l" }, { id: "l2", boardId: "l" }]) { inserted } }`, { t: TABLE });
    const subscription = live('admin', { t: TABLE, w: { boardId: 'l' }, g: ['id'], limit: 1 });
    await subscription.until((_data, results) => results.some((result) => result.errors), 'an error');
    expect(subscription.results.at(-1)?.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(subscription.results.at(-1)?.errors?.[0]?.message).toContain('more than 1 groups');
  });

  it('without groupBy counts live, one group even when empty', async () => {
    const variables = { t: TABLE, w: { boardId: 'zz' }, f: { count: true } };
    const subscription = live('admin', variables);
    await subscription.until(() => subscription.data.at(-1)?.liveAggregate.groups[0]?.count === 0, 'count 0');
    await admin(`mutation($t: String!) { insert(table: $t, documents: [{ id: "z1", boardId: "zz" }, { id: "z2", boardId: "zz" }]) { inserted } }`, { t: TABLE });
    await subscription.until(() => subscription.data.at(-1)?.liveAggregate.groups[0]?.count === 2, 'count 2');
  });

  it('covers only the rows of the subscriber\'s row rule and refuses hidden fields by name', async () => {
    const docs = [
      { id: 'p1', boardId: 'b1', score: 10, secret: 1 },
      { id: 'p2', boardId: 'b2', score: 99, secret: 2 },
    ];
    await admin(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: RULED, d: docs });
    const variables = { t: RULED, f: ALL };
    const subscription = live('b1', variables);
    await settles(subscription, 'b1', variables, 'start');
    expect(subscription.data.at(-1)?.liveAggregate.groups).toEqual([{ key: {}, count: 1, sum: { score: 10 }, avg: { score: 10 }, min: { score: 10 }, max: { score: 10 } }]);
    await admin(`mutation($t: String!) { insert(table: $t, documents: [{ id: "p3", boardId: "b2", score: 1 }, { id: "p4", boardId: "b1", score: 4 }]) { inserted } }`, { t: RULED });
    await settles(subscription, 'b1', variables, 'after inserts');
    expect(subscription.data.at(-1)?.liveAggregate.groups[0]).toMatchObject({ count: 2, sum: { score: 14 }, min: { score: 4 } });

    for (const f of [{ sum: ['secret'] }, { max: ['secret.deep'] }]) {
      const refused = await as('b1', `query(${FIELDS}) { aggregate(${ARGS}) ${SELECTION} }`, { t: RULED, f });
      expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(refused.errors?.[0]?.message).toContain(`may not aggregate or group by the hidden field "${f.sum?.[0] ?? f.max?.[0]}"`);
    }
    const grouped = live('b1', { t: RULED, g: ['secret'] });
    await grouped.until((_data, results) => results.some((result) => result.errors), 'an error');
    expect(grouped.results[0]?.errors?.[0]?.message).toContain('may not aggregate or group by the hidden field "secret"');
  });
});
