import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { applyLiveChange, type LiveChange } from '../examples/live-changes.js';
import { encodeResumeToken } from '../src/subscriptions/resume-token.js';
import { uniqueTable } from './support/gateway.js';
import { subscribeSse, subscribeWs, subscriptionSuite, type Collector } from './support/subscriptions.js';

type Row = { id: string; score: number; team?: string };
type Delta = LiveChange<Row> & { id: string | null; resumeToken: string | null };
type DeltaData = { liveChanges: Delta };
type LiveData = { live: { documents: Row[] } };

const ARGS = '$t: String!, $w: JSONObject, $limit: Int!, $order: [OrderByInput!]!';
const PASS = 'table: $t, where: $w, orderBy: $order, limit: $limit';
const LIVE_CHANGES = `subscription(${ARGS}, $from: String) { liveChanges(${PASS}, resumeFrom: $from) { type id index oldIndex new resumeToken } }`;
const LIVE = `subscription(${ARGS}) { live(${PASS}) { documents } }`;
const byScore = [{ field: 'score', direction: 'DESC' }];

const suite = subscriptionSuite({ resumeGraceSeconds: 30 });
const { clients, track } = suite;

async function newTable(docs: Row[]): Promise<string> {
  const table = uniqueTable('deltas');
  await suite.gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
  if (docs.length) await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: docs });
  return table;
}

/** The array a client holds after applying every delta received so far (with the examples/ helper). */
const applyAll = (deltas: readonly Delta[], rows: Row[] = []) => deltas.reduce((array, delta) => applyLiveChange(array, delta), rows);
const deltasOf = (subscription: Collector<DeltaData>) => subscription.data.map((data) => data.liveChanges);
const key = (rows: readonly Row[] | undefined) => JSON.stringify(rows?.map((row) => [row.id, row.score, row.team ?? null]));

/** One write of the random sequences: ids p0..p7, scores with ties, two teams for the filter. */
const write = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), id: fc.integer({ min: 0, max: 7 }), score: fc.integer({ min: 0, max: 6 }), team: fc.constantFrom('red', 'blue') }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 7 }) }),
);
type Write = typeof write extends fc.Arbitrary<infer W> ? W : never;

async function run(table: string, step: Write): Promise<void> {
  if (step.kind === 'delete') {
    await suite.gw.ok('mutation($t: String!, $id: ID!) { delete(table: $t, id: $id) }', { t: table, id: `p${step.id}` });
  } else {
    const doc = { id: `p${step.id}`, score: step.score, team: step.team };
    await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d, conflict: REPLACE) { inserted } }', { t: table, d: [doc] });
  }
}

describe('liveChanges', () => {
  it('sends the rows as INITIAL with their index, READY, then one positioned delta per visible change', async () => {
    const table = await newTable([10, 20, 30, 40].map((score, i) => ({ id: `p${i + 1}`, score })));
    const deltas = track(subscribeWs<DeltaData>(clients.open(suite.gw.app.url), LIVE_CHANGES, { t: table, limit: 3, order: byScore }));
    await deltas.until((data) => data.length === 4, 'INITIAL rows and READY');
    expect(deltasOf(deltas).map((d) => `${d.type} ${d.id} ${d.index}`)).toEqual(['INITIAL p4 0', 'INITIAL p3 1', 'INITIAL p2 2', 'READY null null']);
    await suite.gw.ok('mutation($t: String!) { update(table: $t, id: "p2", patch: { score: 50 }) }', { t: table }); // bottom to top: one MOVE
    await deltas.until((data) => data.length === 5, 'a MOVE');
    expect(deltasOf(deltas)[4]).toMatchObject({ type: 'MOVE', id: 'p2', oldIndex: 2, index: 0, new: { id: 'p2', score: 50 } });
    await suite.gw.ok('mutation($t: String!) { delete(table: $t, id: "p3") }', { t: table }); // leaves: p1 comes in from the database
    await deltas.until((data) => data.length === 7, 'REMOVE and ADD');
    expect(deltasOf(deltas).slice(5)).toMatchObject([
      { type: 'REMOVE', id: 'p3', oldIndex: 2, index: null, new: null },
      { type: 'ADD', id: 'p1', index: 2, oldIndex: null },
    ]);
    expect(key(applyAll(deltasOf(deltas)))).toBe(key([{ id: 'p2', score: 50 }, { id: 'p4', score: 40 }, { id: 'p1', score: 10 }]));
  });

  it('property: over random writes, applying the deltas always equals the live result (and the database)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 16 }), fc.constantFrom(1, 3), fc.boolean(), async (writes, limit, filtered) => {
        const table = await newTable([]);
        const variables = { t: table, limit, order: byScore, w: filtered ? { team: 'red' } : undefined };
        const client = clients.open(suite.gw.app.url);
        const deltas = subscribeWs<DeltaData>(client, LIVE_CHANGES, variables);
        const live = subscribeWs<LiveData>(client, LIVE, variables);
        try {
          await deltas.until((data) => data.some((d) => d.liveChanges.type === 'READY'), 'READY');
          await live.until((data) => data.length === 1, 'the first live result');
          for (const step of writes) {
            await run(table, step);
            const truth = await suite.gw.ok<{ query: Row[] }>(`query(${ARGS}) { query(${PASS}) }`, variables);
            await live.until((data) => key(data.at(-1)?.live.documents) === key(truth.query), `live to show ${key(truth.query)}`);
            await deltas.until(() => key(applyAll(deltasOf(deltas))) === key(truth.query), `the deltas to add up to ${key(truth.query)}`);
          }
        } finally {
          deltas.stop();
          live.stop();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('resumes over SSE: the missed deltas applied to the array the client held give the live result', async () => {
    const table = await newTable([1, 2, 3, 4, 5].map((score, i) => ({ id: `p${i}`, score })));
    const variables = { t: table, limit: 3, order: byScore };
    const first = track(subscribeSse<DeltaData>(suite.gw.app.url, LIVE_CHANGES, variables));
    await first.until((data) => data.length === 4, 'INITIAL rows and READY');
    const held = applyAll(deltasOf(first));
    const token = deltasOf(first).at(-1)?.resumeToken;
    first.stop();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(0));
    for (const [id, score] of [['p0', 9], ['p4', 0], ['p2', 7], ['p5', 8]] as const) {
      await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d, conflict: REPLACE) { inserted } }', { t: table, d: [{ id, score }] });
    }
    const resumed = track(subscribeSse<DeltaData>(suite.gw.app.url, LIVE_CHANGES, { ...variables, from: token }));
    await resumed.until((data) => data.some((d) => d.liveChanges.type === 'READY'), 'READY');
    expect(deltasOf(resumed).some((d) => d.type === 'INITIAL' || d.type === 'RESET')).toBe(false);
    const truth = await suite.gw.ok<{ query: Row[] }>(`query(${ARGS}) { query(${PASS}) }`, variables);
    expect(key(applyAll(deltasOf(resumed), held))).toBe(key(truth.query));
  });

  it('with a token it cannot honour: RESET, the rows as INITIAL, READY', async () => {
    const table = await newTable([{ id: 'a', score: 1 }, { id: 'b', score: 2 }]);
    const foreign = encodeResumeToken({ epoch: 'elsewhere', query: 'q', seq: 1 });
    const resumed = track(subscribeWs<DeltaData>(clients.open(suite.gw.app.url), LIVE_CHANGES, { t: table, limit: 5, order: byScore, from: foreign }));
    await resumed.until((data) => data.length === 4, 'RESET, rows, READY');
    expect(deltasOf(resumed).map((d) => `${d.type} ${d.id}`)).toEqual(['RESET null', 'INITIAL b', 'INITIAL a', 'READY null']);
    expect(key(applyAll(deltasOf(resumed), [{ id: 'stale', score: 0 }]))).toBe(key([{ id: 'b', score: 2 }, { id: 'a', score: 1 }]));
  });
});
