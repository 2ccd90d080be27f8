import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniqueTable } from './support/gateway.js';
import { subscribeWs, subscriptionSuite, type Collector } from './support/subscriptions.js';

// The property of issue #18: after ANY sequence of writes (inserts, updates moving rows between
// groups, deletes, non-numeric values, several at once) every live aggregate equals a fresh
// `aggregate` query. Runs on both backends; sums stay exact (integers and halves).

type LiveData = { liveAggregate: { groups: unknown[] } };
const suite = subscriptionSuite();

const FIELDS = '$t: String!, $w: JSONObject, $g: [String!], $f: AggregateFieldsInput';
const ARGS = 'table: $t, where: $w, groupBy: $g, fields: $f';
const SELECTION = '{ groups { key count sum avg min max } }';
const ALL = { sum: ['score', 'bonus'], avg: ['score'], min: ['score', 'bonus'], max: ['score'] };

const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const value = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(2.5, -0.5, 'ten', null, true, [1], { n: 1 }));
const row = fc.record(
  { id: fc.constantFrom(...ids), boardId: fc.constantFrom('b1', 'b2', 'b3', null), score: value, bonus: value, level: fc.constantFrom(1, 2) },
  { requiredKeys: ['id'] },
);
const write = fc.oneof(
  { weight: 3, arbitrary: row.map((doc) => ({ kind: 'put' as const, doc })) },
  { weight: 1, arbitrary: fc.constantFrom(...ids).map((id) => ({ kind: 'delete' as const, id })) },
);
type Write = typeof write extends fc.Arbitrary<infer W> ? W : never;

function apply(table: string, step: Write): Promise<unknown> {
  if (step.kind === 'delete') return suite.gw.ok(`mutation($t: String!, $id: ID!) { delete(table: $t, id: $id) }`, { t: table, id: step.id });
  return suite.gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d, conflict: REPLACE) { inserted } }`, { t: table, d: [step.doc] });
}

describe('liveAggregate equals a fresh aggregate after any writes', () => {
  it('for grouped, filtered and whole-table aggregates', async () => {
    const table = uniqueTable('agg_prop');
    await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
    const views = [
      { t: table, g: ['boardId'], f: ALL },
      { t: table, g: ['boardId', 'level'], w: { level: { gte: 2 } }, f: { min: ['score'], max: ['bonus'] } },
      { t: table, f: ALL },
    ];
    const client = suite.clients.open(suite.gw.app.url);
    const live = views.map((variables) => suite.track(subscribeWs<LiveData>(client, `subscription(${FIELDS}) { liveAggregate(${ARGS}) ${SELECTION} }`, variables)));
    const agree = async (subscription: Collector<LiveData>, variables: Record<string, unknown>) => {
      const fresh = await suite.gw.ok<{ aggregate: { groups: unknown[] } }>(`query(${FIELDS}) { aggregate(${ARGS}) ${SELECTION} }`, variables);
      const expected = JSON.stringify(fresh.aggregate.groups);
      await subscription.until(() => JSON.stringify(subscription.data.at(-1)?.liveAggregate.groups) === expected, `${JSON.stringify(variables)} = ${expected}`);
    };
    await fc.assert(
      // Batches of writes: the writes of one batch are sent at once, so changes arrive while re-reads run.
      fc.asyncProperty(fc.array(fc.array(write, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), async (batches) => {
        for (const batch of batches) await Promise.all(batch.map((step) => apply(table, step)));
        for (const [i, subscription] of live.entries()) await agree(subscription, views[i] as Record<string, unknown>);
      }),
      { numRuns: 25, seed: 18_2026, endOnFailure: true },
    );
    expect(live.every((subscription) => subscription.results.every((result) => !result.errors))).toBe(true);
  }, 180_000);
});
