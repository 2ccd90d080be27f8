import { describe, expect, it, vi } from 'vitest';
import { testDb, uniqueTable } from './support/gateway.js';
import { subscribeSse, subscribeWs, subscriptionSuite, type ChangesData, type Collector } from './support/subscriptions.js';


// After each test the suite checks that everything was released (feeds close with their last subscriber).
const suite = subscriptionSuite();
const { clients } = suite;

async function tableWith(docs: Record<string, unknown>[]): Promise<string> {
  const table = uniqueTable('sub');
  await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  if (docs.length) await suite.gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
  return table;
}

const CHANGES = `subscription($t: String!, $id: ID, $w: JSONObject, $init: Boolean, $throttle: Int) {
  changes(table: $t, id: $id, where: $w, includeInitial: $init, throttle: $throttle) { type id old new }
}`;

type Transport = 'graphql-ws' | 'sse';
function subscribe(transport: Transport, variables: Record<string, unknown>, query = CHANGES): Collector<ChangesData> {
  return suite.track(
    transport === 'sse' ? subscribeSse<ChangesData>(suite.gw.app.url, query, variables) : subscribeWs<ChangesData>(clients.open(suite.gw.app.url), query, variables),
  );
}

const events = (subscription: Collector<ChangesData>) => subscription.data.map((data) => data.changes);
const short = (subscription: Collector<ChangesData>) => events(subscription).map((event) => `${event.type}${event.id === null ? '' : ` ${event.id}`}`);
const ready = (subscription: Collector<ChangesData>) => subscription.until((data) => data.some((d) => d.changes.type === 'READY'), 'READY');

describe.each<Transport>(['graphql-ws', 'sse'])('changes over %s', (transport) => {
  it('sends INITIAL events, READY, then ADD, CHANGE and REMOVE with old and new documents', async () => {
    const table = await tableWith([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    const subscription = subscribe(transport, { t: table, init: true });
    await ready(subscription);
    expect(short(subscription).sort()).toEqual(['INITIAL a', 'INITIAL b', 'READY']);
    expect(short(subscription).at(-1)).toBe('READY');
    await suite.gw.ok(`mutation($t: String!) {
      i: insert(table: $t, documents: [{ id: "c", n: 3 }]) { inserted }
      u: update(table: $t, id: "a", patch: { n: 10 })
      d: delete(table: $t, id: "b")
    }`, { t: table });
    await subscription.until((data) => data.length === 6);
    expect(events(subscription).slice(3)).toEqual([
      { type: 'ADD', id: 'c', old: null, new: { id: 'c', n: 3 } },
      { type: 'CHANGE', id: 'a', old: { id: 'a', n: 1 }, new: { id: 'a', n: 10 } },
      { type: 'REMOVE', id: 'b', old: { id: 'b', n: 2 }, new: null },
    ]);
  });

  it('without includeInitial sends only READY first', async () => {
    const table = await tableWith([{ id: 'a' }]);
    const subscription = subscribe(transport, { t: table });
    await ready(subscription);
    await suite.gw.ok(`mutation($t: String!) { insert(table: $t, documents: [{ id: "b" }]) { inserted } }`, { t: table });
    await subscription.until((data) => data.length === 2);
    expect(short(subscription)).toEqual(['READY', 'ADD b']);
  });

  it('reports a document moving into the filter as ADD and out of it as REMOVE', async () => {
    const table = await tableWith([{ id: 'a', score: 5 }, { id: 'b', score: 50 }]);
    const subscription = subscribe(transport, { t: table, w: { score: { gte: 10 } }, init: true });
    await ready(subscription);
    await suite.gw.ok(`mutation($t: String!) {
      in: update(table: $t, id: "a", patch: { score: 20 })
      still: update(table: $t, id: "a", patch: { score: 30 })
      out: update(table: $t, id: "b", patch: { score: 1 })
      outside: update(table: $t, id: "b", patch: { score: 2 })
      other: insert(table: $t, documents: [{ id: "c", score: 0 }]) { inserted }
    }`, { t: table });
    await subscription.until((data) => data.length === 5);
    expect(events(subscription)).toEqual([
      { type: 'INITIAL', id: 'b', old: null, new: { id: 'b', score: 50 } },
      { type: 'READY', id: null, old: null, new: null },
      { type: 'ADD', id: 'a', old: null, new: { id: 'a', score: 20 } },
      { type: 'CHANGE', id: 'a', old: { id: 'a', score: 20 }, new: { id: 'a', score: 30 } },
      { type: 'REMOVE', id: 'b', old: { id: 'b', score: 50 }, new: null },
    ]);
  });

  it('fails at once with a clear error for a missing table, a bad filter and a bad throttle', async () => {
    const missing = subscribe(transport, { t: 'no_such_table' });
    const badFilter = subscribe(transport, { t: 'no_such_table', w: { score: { gtt: 1 } } });
    const badThrottle = subscribe(transport, { t: 'no_such_table', throttle: -5 });
    await Promise.all([missing.ended, badFilter.ended, badThrottle.ended]);
    expect([missing, badFilter, badThrottle].map((subscription) => subscription.failure)).toEqual([undefined, undefined, undefined]);
    expect(missing.results).toEqual([
      { errors: [expect.objectContaining({ message: `table "no_such_table" does not exist in database "${testDb}"`, extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })] },
    ]);
    expect(badFilter.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('gtt'), extensions: { code: 'BAD_USER_INPUT' } });
    expect(badThrottle.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('throttle'), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('changes', () => {
  it('watches one document by id, also one keyed by a number', async () => {
    const table = await tableWith([{ id: 'a', n: 1 }, { id: 'b', n: 1 }, { id: 7, n: 1 }]);
    const one = subscribe('graphql-ws', { t: table, id: 'a', init: true });
    const numeric = subscribe('graphql-ws', { t: table, id: '7', init: true });
    await Promise.all([ready(one), ready(numeric)]);
    await suite.gw.ok(`mutation($t: String!) {
      b: update(table: $t, id: "b", patch: { n: 2 })
      seven: update(table: $t, id: "7", patch: { n: 2 })
      a: update(table: $t, id: "a", patch: { n: 2 })
    }`, { t: table });
    await one.until((data) => data.length === 3);
    await numeric.until((data) => data.length === 3);
    expect(short(one)).toEqual(['INITIAL a', 'READY', 'CHANGE a']);
    expect(events(numeric).map((event) => [event.type, event.id, event.new?.n ?? null])).toEqual([
      ['INITIAL', '7', 1],
      ['READY', null, null],
      ['CHANGE', '7', 2],
    ]);
  });

  it('throttles: at most one squashed event per document per window, ending in the right state', async () => {
    const table = await tableWith([{ id: 'a', v: 0 }, { id: 'b', v: 0 }]);
    const all = subscribe('graphql-ws', { t: table });
    const throttled = subscribe('graphql-ws', { t: table, throttle: 1000 });
    await Promise.all([ready(all), ready(throttled)]);
    const updates = Array.from({ length: 20 }, (_, i) => `u${i}: update(table: $t, id: "a", patch: { v: ${i + 1} })`).join('\n');
    const started = performance.now();
    await suite.gw.ok(`mutation($t: String!) { ${updates} }`, { t: table });
    // At most one event per 1 s window while the writes lasted, plus the trailing one: a bound
    // that holds however slow the machine is.
    const windows = 2 + Math.ceil((performance.now() - started) / 1000);
    await suite.gw.ok(`mutation($t: String!) { x: update(table: $t, id: "b", patch: { v: 1 }) y: delete(table: $t, id: "b") }`, { t: table });
    await all.until((data) => data.length === 23);
    await throttled.until((data) => data.some((d) => d.changes.id === 'a' && d.changes.new?.v === 20), 'the last value of a');
    const ofA = events(throttled).filter((event) => event.id === 'a');
    // A squashed chain: each event starts where the previous one ended.
    ofA.forEach((event, i) => expect(event.old).toEqual(i === 0 ? { id: 'a', v: 0 } : ofA[i - 1]?.new));
    expect(ofA.length).toBeLessThan(20);
    expect(ofA.length).toBeLessThanOrEqual(windows);
    // b changed and was deleted: the throttled subscriber sees CHANGE then REMOVE squashed, or the two in separate windows.
    await throttled.until((data) => data.some((d) => d.changes.id === 'b' && d.changes.type === 'REMOVE'), 'the removal of b');
    expect(events(throttled).filter((event) => event.id === 'b').at(-1)).toMatchObject({ type: 'REMOVE', old: { id: 'b' }, new: null });
  });

  it('frees everything when clients disconnect without unsubscribing (socket dropped, SSE request aborted)', async () => {
    const table = await tableWith([]);
    const exposed = clients.openExposed(suite.gw.app.url);
    const ws = subscribeWs<ChangesData>(exposed.client, CHANGES, { t: table });
    const sse = subscribe('sse', { t: table, w: { n: 1 } });
    await Promise.all([ready(ws), ready(sse)]);
    expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 2 });
    exposed.terminate();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats()).toMatchObject({ queries: 1, subscribers: 1 }));
    sse.stop();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }));
  });
});

describe('a dropped table', () => {
  it('ends its subscriptions with NOT_FOUND', async () => {
    const table = await tableWith([{ id: 'a' }]);
    const ws = subscribe('graphql-ws', { t: table });
    const sse = subscribe('sse', { t: table, w: { id: 'a' } });
    await Promise.all([ready(ws), ready(sse)]);
    await suite.gw.ok('mutation($t: String!) { dropTable(table: $t) { name } }', { t: table });
    for (const subscription of [ws, sse]) {
      await subscription.ended;
      expect(subscription.results.at(-1)?.errors?.[0]).toMatchObject({
        message: `table "${table}" was dropped from database "${testDb}"`,
        extensions: { code: 'NOT_FOUND' },
      });
    }
  });
});

describe('sharing', () => {
  it('serves 200 identical subscriptions from one feed and one query, and closes the feed when they leave', async () => {
    const table = await tableWith([{ id: 'a', team: 'red' }]);
    const sockets = Array.from({ length: 4 }, () => clients.open(suite.gw.app.url));
    // The same filter in another key order is the same query.
    const wheres = [{ team: 'red', n: { gte: 0 } }, { n: { gte: 0 }, team: 'red' }];
    const subscriptions = Array.from({ length: 200 }, (_, i) => {
      return suite.track(subscribeWs<ChangesData>(sockets[i % 4] as (typeof sockets)[number], CHANGES, { t: table, w: wheres[i % 2], init: i % 3 === 0 }));
    });
    await Promise.all(subscriptions.map(ready));
    expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 1, subscribers: 200 });

    const other = subscribe('sse', { t: table, w: { team: 'blue' } });
    await ready(other);
    expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 201 });

    await suite.gw.ok(`mutation($t: String!) { insert(table: $t, documents: [{ id: "b", team: "red", n: 1 }, { id: "c", team: "blue", n: 1 }]) { inserted } }`, { t: table });
    await Promise.all(subscriptions.map((subscription) => subscription.until((data) => data.at(-1)?.changes.id === 'b')));
    for (const subscription of subscriptions) expect(events(subscription).filter((event) => event.type === 'ADD')).toEqual([{ type: 'ADD', id: 'b', old: null, new: { id: 'b', team: 'red', n: 1 } }]);
    await other.until((data) => data.at(-1)?.changes.id === 'c');

    subscriptions.forEach((subscription) => subscription.stop());
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 1, subscribers: 1 }));
    other.stop();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }));
  });
});
