import { describe, expect, it } from 'vitest';
import { uniqueTable } from './support/gateway.js';
import { subscribeSse, subscribeWs, subscriptionSuite, type Collector } from './support/subscriptions.js';

type LiveData = { live: { documents: { id: string; score: number }[] } };

const suite = subscriptionSuite();

const LIVE = `subscription($t: String!, $w: JSONObject, $limit: Int!, $throttle: Int, $order: [OrderByInput!]!) {
  live(table: $t, where: $w, orderBy: $order, limit: $limit, throttle: $throttle) { documents }
}`;
const byScore = [{ field: 'score', direction: 'DESC' }];

type Transport = 'graphql-ws' | 'sse';
function subscribe(transport: Transport, variables: Record<string, unknown>): Collector<LiveData> {
  const all = { order: byScore, ...variables };
  return suite.track(transport === 'sse' ? subscribeSse<LiveData>(suite.gw.app.url, LIVE, all) : subscribeWs<LiveData>(suite.clients.open(suite.gw.app.url), LIVE, all));
}

async function tableWith(docs: Record<string, unknown>[]): Promise<string> {
  const table = uniqueTable('live');
  await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  if (docs.length) await suite.gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
  return table;
}

const ids = (data: LiveData | undefined) => data?.live.documents.map((doc) => `${doc.id}:${doc.score}`).join(' ');
const latest = (subscription: Collector<LiveData>) => ids(subscription.data.at(-1));
const write = (mutation: string, t: string) => suite.gw.ok(`mutation($t: String!) { ${mutation} }`, { t });

describe.each<Transport>(['graphql-ws', 'sse'])('live over %s', (transport) => {
  it('keeps a top 3 right as rows enter, move within, leave, are deleted and are pushed out', async () => {
    const players = [10, 20, 30, 40, 50, 60].map((score, i) => ({ id: `p${i + 1}`, score }));
    const table = await tableWith(players);
    const top = subscribe(transport, { t: table, limit: 3 });
    const steps: [string, string][] = [
      ['', 'p6:60 p5:50 p4:40'],
      ['insert(table: $t, documents: [{ id: "p7", score: 55 }]) { inserted }', 'p6:60 p7:55 p5:50'], // enters
      ['update(table: $t, id: "p5", patch: { score: 70 })', 'p5:70 p6:60 p7:55'], // moves within
      ['update(table: $t, id: "p7", patch: { score: 5 })', 'p5:70 p6:60 p4:40'], // leaves: the next row from the database takes its place
      ['delete(table: $t, id: "p6")', 'p5:70 p4:40 p3:30'], // deleted
      ['insert(table: $t, documents: [{ id: "p8", score: 100 }]) { inserted }', 'p8:100 p5:70 p4:40'], // pushes p3 out
      ['update(table: $t, id: "p1", patch: { score: 11 })', 'p8:100 p5:70 p4:40'], // outside the window: no new result
      ['update(table: $t, id: "p4", patch: { score: 100 })', 'p4:100 p8:100 p5:70'], // a tie: the primary key decides
    ];
    for (const [mutation, expected] of steps) {
      if (mutation) await write(mutation, table);
      await top.until(() => latest(top) === expected, expected);
    }
    // Exactly one result per visible change, in order, and the final one equals a fresh query.
    expect(top.data.map(ids)).toEqual([...new Set(steps.map(([, expected]) => expected))]);
    const query = await suite.gw.ok<{ query: LiveData['live']['documents'] }>(
      `query($t: String!) { query(table: $t, orderBy: [{ field: "score", direction: DESC }], limit: 3) }`,
      { t: table },
    );
    expect(top.data.at(-1)?.live.documents).toEqual(query.query);
  });
});

describe('live', () => {
  it('filters: a row moving out of the filter leaves the window, one moving in enters', async () => {
    const table = await tableWith([
      { id: 'a', score: 9, team: 'red' },
      { id: 'b', score: 8, team: 'blue' },
      { id: 'c', score: 7, team: 'red' },
      { id: 'd', score: 1, team: 'red' },
    ]);
    const red = subscribe('graphql-ws', { t: table, limit: 2, w: { team: 'red' } });
    await red.until(() => latest(red) === 'a:9 c:7');
    await write('update(table: $t, id: "a", patch: { team: "blue" })', table);
    await red.until(() => latest(red) === 'c:7 d:1');
    await write('update(table: $t, id: "b", patch: { team: "red" })', table);
    await red.until(() => latest(red) === 'b:8 c:7');
  });

  it('shows fewer rows than the limit while fewer match, and an empty table as an empty result', async () => {
    const table = await tableWith([]);
    const top = subscribe('graphql-ws', { t: table, limit: 3 });
    await top.until(() => top.data.length === 1);
    expect(latest(top)).toBe('');
    await write('insert(table: $t, documents: [{ id: "a", score: 1 }, { id: "b", score: 2 }]) { inserted }', table);
    await top.until(() => latest(top) === 'b:2 a:1');
    await write('delete(table: $t, id: "b")', table);
    await top.until(() => latest(top) === 'a:1');
  });

  it('shares one query between identical subscribers and one feed with changes subscribers of the table', async () => {
    const table = await tableWith([{ id: 'a', score: 1 }]);
    const first = subscribe('graphql-ws', { t: table, limit: 5 });
    const second = subscribe('sse', { t: table, limit: 5 });
    const other = subscribe('graphql-ws', { t: table, limit: 4 });
    await Promise.all([first, second, other].map((subscription) => subscription.until((data) => data.length === 1)));
    expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 3 });
  });

  it('throttles: at most one result per window, the last one current', async () => {
    const table = await tableWith([{ id: 'a', score: 0 }, { id: 'b', score: 50 }]);
    const all = subscribe('graphql-ws', { t: table, limit: 2 });
    const throttled = subscribe('graphql-ws', { t: table, limit: 2, throttle: 1000 });
    await Promise.all([all, throttled].map((subscription) => subscription.until((data) => data.length === 1)));
    const updates = Array.from({ length: 20 }, (_, i) => `u${i}: update(table: $t, id: "a", patch: { score: ${i + 1} })`).join('\n');
    const started = performance.now();
    await write(updates, table);
    // The initial result, at most one per 1 s window while the writes lasted, and the trailing one.
    const windows = 3 + Math.ceil((performance.now() - started) / 1000);
    await all.until((data) => data.length === 21);
    await throttled.until(() => latest(throttled) === 'b:50 a:20');
    expect(throttled.data.length).toBeLessThan(21);
    expect(throttled.data.length).toBeLessThanOrEqual(windows);
  });

  it('rejects a bad limit, field path or filter at once', async () => {
    const table = await tableWith([]);
    const zero = subscribe('graphql-ws', { t: table, limit: 0 });
    const path = subscribe('sse', { t: table, limit: 1, order: [{ field: 'a..b' }] });
    const filter = subscribe('graphql-ws', { t: table, limit: 1, w: { score: { in: 3 } } });
    await Promise.all([zero.ended, path.ended, filter.ended]);
    expect(zero.results[0]?.errors?.[0]).toMatchObject({ message: 'limit must be an integer from 1 to 1000 (got 0)', extensions: { code: 'BAD_USER_INPUT' } });
    expect(path.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('a..b'), extensions: { code: 'BAD_USER_INPUT' } });
    expect(filter.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('"in"'), extensions: { code: 'BAD_USER_INPUT' } });
  });
});
