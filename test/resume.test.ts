import { describe, expect, it, vi } from 'vitest';
import { encodeResumeToken } from '../src/subscriptions/resume-token.js';
import { startTestGateway, uniqueTable } from './support/gateway.js';
import { subscribeEventSource, subscribeSse, subscribeWs, subscriptionSuite, WsClients, type Collector, type Change, type ChangesData, type Doc } from './support/subscriptions.js';


const CHANGES = `subscription($t: String!, $from: String, $init: Boolean) {
  changes(table: $t, resumeFrom: $from, includeInitial: $init) { type id old new resumeToken }
}`;
const WINDOW = 60;

const suite = subscriptionSuite({ replayWindowEvents: WINDOW, resumeGraceSeconds: 30 });
const { clients, track } = suite;

async function newTable(docs: Doc[] = []): Promise<string> {
  const table = uniqueTable('resume');
  await suite.gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
  if (docs.length) await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: docs });
  return table;
}

/**
 * Writes `count` changes one mutation at a time (inserts, updates, deletes in turn) and
 * returns the events a subscriber of the whole table must see for them, in order.
 */
async function writeChanges(table: string, count: number, tag: string): Promise<string[]> {
  const expected: string[] = [];
  for (let i = 1; i <= count; i++) {
    const step = i % 3;
    if (step === 1) {
      await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: [{ id: `${tag}${i}`, v: i }] });
      expected.push(`ADD ${tag}${i} ${i}`);
    } else if (step === 2) {
      await suite.gw.ok('mutation($t: String!, $id: ID!, $p: JSONObject!) { update(table: $t, id: $id, patch: $p) }', { t: table, id: `${tag}${i - 1}`, p: { v: i } });
      expected.push(`CHANGE ${tag}${i - 1} ${i}`);
    } else {
      await suite.gw.ok('mutation($t: String!, $id: ID!) { delete(table: $t, id: $id) }', { t: table, id: `${tag}${i - 2}` });
      expected.push(`REMOVE ${tag}${i - 2} -`);
    }
  }
  return expected;
}

/** How many resumes the gateway has counted with this outcome (`/metrics`: rethinkql_subscription_resumes_total). */
const resumes = async (outcome: 'replayed' | 'reset') =>
  (await suite.gw.app.metrics.resumes.get()).values.find((value) => value.labels.outcome === outcome)?.value ?? 0;

const show = (event: Change) => `${event.type} ${event.id} ${event.new ? String(event.new.v) : '-'}`;
const events = (subscription: Collector<ChangesData>) => subscription.data.map((data) => data.changes);
const lastToken = (subscription: Collector<ChangesData>) => events(subscription).filter((event) => event.resumeToken).at(-1)?.resumeToken ?? undefined;
const ready = (data: ChangesData[]) => data.some((d) => d.changes.type === 'READY');

describe.each(['graphql-ws', 'sse'] as const)('resuming changes over %s', (transport) => {
  const subscribe = (variables: Record<string, unknown>) =>
    track(transport === 'sse' ? subscribeSse<ChangesData>(suite.gw.app.url, CHANGES, variables) : subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, variables));

  it('after its connection is closed mid-stream, gets exactly the 50 missed changes in order, READY, then live ones', async () => {
    const table = await newTable();
    // The only subscriber: its socket is closed without unsubscribing, like a network loss.
    const exposed = clients.openExposed(suite.gw.app.url);
    const first =
      transport === 'sse' ? track(subscribeSse<ChangesData>(suite.gw.app.url, CHANGES, { t: table })) : track(subscribeWs<ChangesData>(exposed.client, CHANGES, { t: table }));
    await first.until(ready, 'READY');
    const before = await writeChanges(table, 4, 'a');
    await first.until((data) => data.length === 5, 'the first changes');
    expect(events(first).slice(1).map(show)).toEqual(before);
    if (transport === 'sse') first.stop();
    else exposed.terminate();
    // The hub let go of the subscriber; its query stays open for the grace period (others may linger from earlier tests).
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(0));

    const missed = await writeChanges(table, 50, 'b');
    const replayedBefore = await resumes('replayed');
    const resumed = subscribe({ t: table, from: lastToken(first) });
    await resumed.until(ready, 'READY after the missed changes');
    const replayed = events(resumed);
    expect(replayed.slice(0, -1).map(show)).toEqual(missed);
    expect(replayed.at(-1)?.type).toBe('READY');
    // Every change has its own token; READY carries the position after the last one.
    expect(new Set(replayed.slice(0, -1).map((event) => event.resumeToken)).size).toBe(missed.length);
    expect(replayed.at(-1)?.resumeToken).toBe(replayed.at(-2)?.resumeToken);
    expect(await resumes('replayed')).toBe(replayedBefore + 1);

    const live = await writeChanges(table, 1, 'c');
    await resumed.until((data) => data.length === replayed.length + 1, 'the next live change');
    expect(events(resumed).slice(replayed.length).map(show)).toEqual(live);
  });

  it('with a token beyond the replay window: RESET, the current state as INITIAL, READY', async () => {
    const table = await newTable([{ id: 'keep', v: 0 }]);
    const witness = subscribe({ t: table });
    await witness.until(ready, 'READY');
    await writeChanges(table, 2, 'a');
    await witness.until((data) => data.length === 3, 'two changes');
    const token = lastToken(witness);
    await writeChanges(table, WINDOW + 3, 'b');

    const resumed = subscribe({ t: table, from: token });
    await resumed.until(ready, 'READY');
    const got = events(resumed);
    expect(got[0]).toMatchObject({ type: 'RESET', id: null, resumeToken: null });
    const current = await suite.gw.ok<{ query: Doc[] }>('query($t: String!) { query(table: $t, limit: 1000) }', { t: table });
    const initial = got.slice(1, -1);
    expect(initial.every((event) => event.type === 'INITIAL' && event.resumeToken === null)).toBe(true);
    expect(initial.map((event) => event.new).sort((a, b) => String(a?.id).localeCompare(String(b?.id)))).toEqual(current.query);
    expect(got.at(-1)?.type).toBe('READY');
  });
});

describe('resume tokens', () => {
  it('from another gateway instance (or before a restart) RESET; garbage is BAD_USER_INPUT', async () => {
    const table = await newTable([{ id: 'a', v: 1 }]);
    const foreign = encodeResumeToken({ epoch: 'another-instance', query: 'whatever', seq: 3 });
    const resetsBefore = await resumes('reset');
    const resumed = track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, { t: table, from: foreign }));
    await resumed.until(ready, 'READY');
    expect(events(resumed).map((event) => event.type)).toEqual(['RESET', 'INITIAL', 'READY']);
    expect(await resumes('reset')).toBe(resetsBefore + 1);

    const garbage = track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, { t: table, from: 'not a token' }));
    await garbage.ended;
    expect(garbage.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('resumeFrom is not a resume token'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('are in every result\'s extensions, whether or not the client selects the field', async () => {
    const table = await newTable();
    const plain = track(subscribeWs<{ changes: { type: string } }>(clients.open(suite.gw.app.url), 'subscription($t: String!) { changes(table: $t) { type } }', { t: table }));
    await plain.until((data) => data.length === 1, 'READY');
    await writeChanges(table, 1, 'a');
    await plain.until((data) => data.length === 2, 'ADD');
    const tokens = plain.results.map((result) => result.extensions?.resumeToken);
    expect(tokens.every((token) => typeof token === 'string' && token.length > 0)).toBe(true);
    expect(tokens[0]).not.toBe(tokens[1]);
  });
});

describe('a query kept open for resumes', () => {
  it('does not outlive its table: after a drop and re-create, new subscriptions see the new table', async () => {
    const table = await newTable([{ id: 'a', v: 1 }]);
    const first = track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, { t: table }));
    await first.until(ready, 'READY');
    first.stop();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(0));
    await suite.gw.ok('mutation($t: String!) { dropTable(table: $t) { name } }', { t: table });
    await suite.gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    const again = track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, { t: table, init: true }));
    await again.until(ready, 'READY');
    expect(events(again).map((event) => event.type)).toEqual(['READY']);
    const added = await writeChanges(table, 1, 'n');
    await again.until((data) => data.length === 2, 'the new row');
    expect(events(again).slice(1).map(show)).toEqual(added);
  });
});

describe('an EventSource reconnecting with Last-Event-ID', () => {
  it('resumes by itself: ids are resume tokens, and the reconnect gets exactly the missed events', async () => {
    const table = await newTable([{ id: 'x', v: 0 }]);
    // includeInitial stays in the URL: a successful resume ignores it (the client has the state).
    const source = subscribeEventSource<ChangesData>(suite.gw.app.url, 'subscription($t: String!) { changes(table: $t, includeInitial: true) { type id new } }', { t: table });
    track(source);
    await source.until((data) => data.length === 2, 'INITIAL and READY');
    await writeChanges(table, 3, 'a');
    await source.until((data) => data.length === 5, 'three changes');
    // An INITIAL event has no id (a snapshot cannot be resumed halfway); every other event has its token.
    expect(source.ids[0]).toBeUndefined();
    expect(source.ids.slice(1).every((id) => typeof id === 'string')).toBe(true);
    source.drop();
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(0));

    const missed = await writeChanges(table, 50, 'b');
    source.reconnect();
    await source.until((data) => data.length === 5 + 51, 'the missed changes and READY');
    const after = source.data.slice(5).map((data) => data.changes as Change);
    expect(after.slice(0, -1).map(show)).toEqual(missed);
    expect(after.at(-1)?.type).toBe('READY');
  });
});

describe('the resume grace period', () => {
  it('keeps a lone client\'s query open for the grace, then closes its feed; a later resume RESETs', async () => {
    const short = await startTestGateway({ resumeGraceSeconds: 1 });
    try {
      const table = uniqueTable('grace');
      await short.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
      const client = new WsClients();
      const first = subscribeWs<ChangesData>(client.open(short.app.url), CHANGES, { t: table });
      await first.until(ready, 'READY');
      const token = lastToken(first);
      first.stop();
      await vi.waitFor(() => expect(short.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 1, subscribers: 0 }));
      await vi.waitFor(() => expect(short.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }), { timeout: 10_000 });
      const late = subscribeWs<ChangesData>(client.open(short.app.url), CHANGES, { t: table, from: token });
      await late.until(ready, 'READY');
      expect(events(late).map((event) => event.type)).toEqual(['RESET', 'READY']);
      await client.closeAll();
    } finally {
      await short.close();
    }
  });
});
