import { r, type Connection } from 'rethinkdb-ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../src/config/config.js';
import { sameDatabaseAs, startTestGateway, type TestGateway } from './support/gateway.js';
import { untilListening } from './support/channels.js';
import { subscribeEventSource, subscribeSse, subscribeWs, subscriptionSuite, type Collector } from './support/subscriptions.js';

interface Event {
  id: string;
  channel: string;
  data: unknown;
  publishedAt: string;
  publisher: string | null;
}
type ChannelData = { channel: Event };

const { eventsTable } = defaultConfig();
const suite = subscriptionSuite({ eventsMaxCount: 5, eventsPruneIntervalMs: 0 });
const { clients } = suite;
const extra: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const leftover of extra.splice(0).reverse()) await leftover.close();
});

const CHANNEL = 'subscription($name: String!) { channel(name: $name) { id channel data publishedAt publisher } }';
const RESUME = 'subscription($name: String!, $after: ID) { channel(name: $name, after: $after) { id channel data publishedAt publisher } }';
const PUBLISH = 'mutation($channel: String!, $data: JSON!) { publish(channel: $channel, data: $data) { id channel data publishedAt publisher } }';

let channelCount = 0;
function uniqueChannel(): string {
  channelCount += 1;
  return `room:${process.pid}-${channelCount}`;
}

function wsSubscriber(gw: TestGateway, name: string): Collector<ChannelData> {
  return suite.track(subscribeWs<ChannelData>(clients.open(gw.app.url), CHANNEL, { name }));
}

async function post(gw: TestGateway, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST') {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}/events`, { method, headers, body: method === 'POST' ? body : undefined });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('channels', () => {
  it('delivers published events, in order, to every subscriber of the channel and to no other channel', async () => {
    const { gw } = suite;
    const lobby = uniqueChannel();
    const other = uniqueChannel();
    const a = wsSubscriber(gw, lobby);
    const b = suite.track(subscribeSse<ChannelData>(gw.app.url, CHANNEL, { name: lobby }));
    const elsewhere = wsSubscriber(gw, other);
    await untilListening(gw, lobby, a, b);
    await untilListening(gw, other, elsewhere);
    const published: Event[] = [];
    for (let i = 0; i < 5; i++) published.push((await gw.ok<{ publish: Event }>(PUBLISH, { channel: lobby, data: { n: i, text: `hello ${i}` } })).publish);
    expect(published[0]).toMatchObject({ channel: lobby, data: { n: 0, text: 'hello 0' }, publisher: 'admin' });
    expect(Date.parse(published[0]?.publishedAt ?? '')).not.toBeNaN();
    for (const subscriber of [a, b]) {
      await subscriber.until((data) => data.length === 5, 'five events');
      expect(subscriber.data.map((d) => d.channel)).toEqual(published);
    }
    expect(elsewhere.data).toEqual([]);
    // One database feed (the events table) and one shared query per channel.
    expect(gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 3 });
  });

  it('POST /events publishes for programs without a GraphQL client', async () => {
    const { gw } = suite;
    const name = uniqueChannel();
    const subscriber = wsSubscriber(gw, name);
    await untilListening(gw, name, subscriber);
    const answer = await post(gw, JSON.stringify({ channel: name, data: [1, 'two', { three: 3 }] }));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ channel: name, data: [1, 'two', { three: 3 }], publisher: 'admin' });
    await subscriber.until((data) => data.length === 1);
    expect(subscriber.data[0]?.channel).toEqual(answer.body);
  });

  it('delivers rows another program inserts into the events table directly', async () => {
    const { gw } = suite;
    const name = uniqueChannel();
    const subscriber = wsSubscriber(gw, name);
    await untilListening(gw, name, subscriber);
    const { host, port, user, password } = gw.database;
    const direct: Connection = await r.connect({ server: { host, port }, user, password, silent: true });
    extra.push(direct);
    await r.db(gw.dbs.events).table(eventsTable).insert({ channel: name, data: { from: 'a worker' } }).run(direct);
    await subscriber.until((data) => data.length === 1);
    expect(subscriber.data[0]?.channel).toMatchObject({ channel: name, data: { from: 'a worker' }, publisher: null });
    expect(Date.parse(subscriber.data[0]?.channel.publishedAt ?? '')).not.toBeNaN();
  });

  it('reaches subscribers on another gateway replica over the same database', async () => {
    const { gw } = suite;
    const replica = await startTestGateway(sameDatabaseAs(gw));
    extra.push(replica);
    const name = uniqueChannel();
    const onReplica = suite.track(subscribeWs<ChannelData>(clients.open(replica.app.url), CHANNEL, { name }));
    await untilListening(gw, name, onReplica);
    const event = (await gw.ok<{ publish: Event }>(PUBLISH, { channel: name, data: 'from replica one' })).publish;
    await onReplica.until((data) => data.length === 1);
    expect(onReplica.data[0]?.channel).toEqual(event);
    onReplica.stop();
    await vi.waitFor(() => expect(replica.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }));
  });

  it('retention keeps the newest events up to the count and deletes events past the age', async () => {
    const { gw } = suite;
    const [db, table] = [gw.dbs.events, eventsTable];
    await gw.ok('mutation($db: String!, $t: String!) { deleteMany(db: $db, table: $t, all: true) { deleted } }', { db, t: table });
    const name = uniqueChannel();
    for (let i = 0; i < 8; i++) await gw.ok(PUBLISH, { channel: name, data: i });
    const old = { channel: name, data: 'last year', publishedAt: new Date(Date.now() - 366 * 86_400_000).toISOString() };
    await gw.ok('mutation($db: String!, $t: String!, $d: [JSONObject!]!) { insert(db: $db, table: $t, documents: $d) { inserted } }', { db, t: table, d: [old] });
    expect(await gw.app.channels.prune()).toBe(4); // last year's by age, then the 3 oldest beyond eventsMaxCount = 5
    const kept = await gw.ok<{ query: { data: number }[] }>(
      'query($db: String!, $t: String!) { query(db: $db, table: $t, orderBy: [{ field: "publishedAt" }]) }',
      { db, t: table },
    );
    expect(kept.query.map((event) => event.data)).toEqual([3, 4, 5, 6, 7]);
  });

  it('resumes after the last event received: exactly the missed events in order, then live ones, none twice', async () => {
    const { gw } = suite;
    const name = uniqueChannel();
    const first = wsSubscriber(gw, name);
    await untilListening(gw, name, first);
    for (let i = 0; i < 3; i++) await gw.ok(PUBLISH, { channel: name, data: i });
    await first.until((data) => data.length === 3);
    first.stop();
    const missed: Event[] = [];
    for (let i = 3; i < 8; i++) missed.push((await gw.ok<{ publish: Event }>(PUBLISH, { channel: name, data: i })).publish);
    const lastSeen = first.data.at(-1)?.channel.id;
    const resumed = suite.track(subscribeWs<ChannelData>(clients.open(gw.app.url), RESUME, { name, after: lastSeen }));
    await resumed.until((data) => data.length === 5, 'the five missed events');
    expect(resumed.data.map((d) => d.channel)).toEqual(missed);
    // Live events follow; publish until one arrives (the feed may still be opening).
    await vi.waitFor(
      async () => {
        await gw.ok(PUBLISH, { channel: name, data: 'live' });
        expect(resumed.data.length).toBeGreaterThan(5);
      },
      { timeout: 15_000, interval: 100 },
    );
    const ids = resumed.data.map((d) => d.channel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(resumed.data.slice(5).every((d) => d.channel.data === 'live')).toBe(true);
  });

  it('resumes over SSE, reading the stored events page by page', async () => {
    const small = await startTestGateway({ maxLimit: 2, defaultLimit: 2 });
    extra.push(small);
    const name = uniqueChannel();
    const anchor = (await small.ok<{ publish: Event }>(PUBLISH, { channel: name, data: 'seen' })).publish;
    const missed: Event[] = [];
    for (let i = 0; i < 5; i++) missed.push((await small.ok<{ publish: Event }>(PUBLISH, { channel: name, data: i })).publish);
    const resumed = subscribeSse<ChannelData>(small.app.url, RESUME, { name, after: anchor.id });
    extra.push({ close: async () => resumed.stop() });
    await resumed.until((data) => data.length === 5);
    expect(resumed.data.map((d) => d.channel)).toEqual(missed);
  });

  it('an EventSource reconnecting with Last-Event-ID (the last event id) gets exactly what it missed', async () => {
    const { gw } = suite;
    const name = uniqueChannel();
    const source = subscribeEventSource<ChannelData>(gw.app.url, CHANNEL, { name });
    suite.track(source);
    await untilListening(gw, name, source);
    await gw.ok(PUBLISH, { channel: name, data: 'before' });
    await source.until((data) => data.length === 1);
    expect(source.lastEventId).toBe(source.data[0]?.channel.id);
    source.drop();
    await vi.waitFor(() => expect(gw.app.subscriptions.stats().subscribers).toBe(0));
    const missed: Event[] = [];
    for (let i = 0; i < 3; i++) missed.push((await gw.ok<{ publish: Event }>(PUBLISH, { channel: name, data: i })).publish);
    source.reconnect();
    await source.until((data) => data.length === 4, 'the three missed events');
    expect(source.data.slice(1).map((d) => d.channel)).toEqual(missed);
    expect(source.ids.slice(-3)).toEqual(missed.map((event) => event.id));
  });

  it('says so when the event to resume after is no longer stored', async () => {
    const { gw } = suite;
    const subscriber = suite.track(subscribeWs<ChannelData>(clients.open(gw.app.url), RESUME, { name: uniqueChannel(), after: 'pruned-long-ago' }));
    await subscriber.ended;
    expect(JSON.stringify(subscriber.failure ?? subscriber.results)).toContain('is no longer stored');
  });

  it.each([
    ['an empty channel name', { channel: '', data: 1 }, 'invalid channel name'],
    ['a channel name with spaces', { channel: 'a b', data: 1 }, 'invalid channel name'],
  ])('refuses %s with BAD_USER_INPUT', async (_label, variables, message) => {
    const result = await suite.gw.gql(PUBLISH, variables);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(message);
  });

  it('refuses a subscription to an invalid channel name before opening anything', async () => {
    const { gw } = suite;
    const subscriber = wsSubscriber(gw, 'no spaces allowed');
    await subscriber.ended;
    expect(JSON.stringify(subscriber.failure ?? subscriber.results)).toContain('invalid channel name');
  });

  it.each([
    ['GET', '', {}, 405, 'use POST /events'],
    ['POST', '{"channel": "x", "data": 1}', { 'content-type': 'text/plain' }, 415, 'application/json'],
    ['POST', '{not json', { 'content-type': 'application/json' }, 400, 'not JSON'],
    ['POST', '[1, 2]', { 'content-type': 'application/json' }, 400, 'must be a JSON object'],
    ['POST', '{"data": 1}', { 'content-type': 'application/json' }, 400, 'must be a JSON object'],
    ['POST', '{"channel": "a b", "data": 1}', { 'content-type': 'application/json' }, 400, 'invalid channel name'],
    ['POST', '{"channel": "x"}', { 'content-type': 'application/json' }, 400, 'publish needs data'],
  ])('POST /events: %s %s is a clear %i error', async (method, body, headers, status, message) => {
    const answer = await post(suite.gw, body, headers as Record<string, string>, method);
    expect(answer.status).toBe(status);
    expect(JSON.stringify(answer.body.error)).toContain(message);
  });
});
