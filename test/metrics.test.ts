import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../src/observability/metrics.js';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample line, e.g. `rethinkql_graphql_errors_total{code="NOT_FOUND"}`; 0 when absent. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('GET /metrics', () => {
  it('counts a query that fails before producing data once (the HTTP fast path hands it to yoga, which counts it)', async () => {
    const before = await scrape();
    const answer = await gw.gql('query Unbound($id: ID!) { document(table: "t", id: $id) }', {});
    expect(answer.errors?.[0]?.message).toContain('$id');
    const refused = await gw.gql('query Deep { a: __typename }', { unexpected: 1 });
    expect(refused.data).toEqual({ a: 'Query' });
    const after = await scrape();
    const unbound = 'rethinkql_graphql_operations_total{type="query",operation="Unbound"}';
    expect(sample(after, unbound) - sample(before, unbound)).toBe(1);
    const deep = 'rethinkql_graphql_operations_total{type="query",operation="Deep"}';
    expect(sample(after, deep) - sample(before, deep)).toBe(1);
  });

  it('counts operations, errors by code, database round trips and DataLoader batches as they happen', async () => {
    const table = uniqueTable('m');
    await gw.ok(`mutation { createTable(table: "${table}") { name } }`);
    await gw.ok(`mutation { insert(table: "${table}", documents: [{ id: "a" }, { id: "b" }]) { inserted } }`);
    const before = await scrape();
    await gw.ok(`query Board { a: document(table: "${table}", id: "a") b: document(table: "${table}", id: "b") }`);
    await gw.gql('query Missing { document(table: "no_such_table", id: "x") }');
    await gw.gql('{ broken');
    const after = await scrape();

    const ops = 'rethinkql_graphql_operations_total{type="query",operation="Board"}';
    expect(sample(after, ops) - sample(before, ops)).toBe(1);
    const notFound = 'rethinkql_graphql_errors_total{code="NOT_FOUND"}';
    expect(sample(after, notFound) - sample(before, notFound)).toBe(1);
    expect(sample(after, 'rethinkql_graphql_errors_total{code="GRAPHQL_PARSE_FAILED"}')).toBeGreaterThanOrEqual(1);
    const roundTrips = 'rethinkql_database_round_trip_seconds_count{outcome="ok"}';
    expect(sample(after, roundTrips)).toBeGreaterThan(sample(before, roundTrips));
    // The two document fields were one batch of two ids.
    const twoIdBatches = 'rethinkql_dataloader_batch_size_bucket{le="2"}';
    const oneIdBatches = 'rethinkql_dataloader_batch_size_bucket{le="1"}';
    expect(sample(after, twoIdBatches) - sample(after, oneIdBatches) - (sample(before, twoIdBatches) - sample(before, oneIdBatches))).toBe(1);
    expect(sample(after, 'rethinkql_active_connections{transport="tcp"}')).toBeGreaterThanOrEqual(1);
    expect(after).toContain('rethinkql_process_resident_memory_bytes');
  });
});

describe('operation names in labels', () => {
  it('are cut to 64 characters, and beyond 200 distinct names count as `other` (clients choose them)', async () => {
    const long = `Q${'x'.repeat(100)}`;
    await gw.ok(`query ${long} { databases }`);
    for (let i = 0; i < 210; i++) await gw.ok(`query Name${i} { databases }`);
    const text = await scrape();
    const names = new Set([...text.matchAll(/^rethinkql_graphql_operations_total\{type="[a-z]+",operation="([^"]*)"\}/gm)].map((match) => match[1] ?? ''));
    expect(names.has(long.slice(0, 64))).toBe(true);
    expect(Math.max(...[...names].map((name) => name.length))).toBe(64);
    // 200 names of clients, plus `anonymous` and `other`.
    expect(names.size).toBeLessThanOrEqual(202);
    expect(sample(text, 'rethinkql_graphql_operations_total{type="query",operation="other"}')).toBeGreaterThanOrEqual(10);
  });
});

describe('feed events per table', () => {
  it('are counted per "db.table", past 500 tables as `other`, and read at scrape time', async () => {
    const metrics = new Metrics();
    for (let i = 0; i < 502; i++) metrics.feedEventCounter(`db.t${i}`)();
    const again = metrics.feedEventCounter('db.t0');
    again();
    again();
    const text = await metrics.registry.metrics();
    expect(sample(text, 'rethinkql_feed_events_total{table="db.t0"}')).toBe(3);
    expect(sample(text, 'rethinkql_feed_events_total{table="db.t499"}')).toBe(1);
    expect(sample(text, 'rethinkql_feed_events_total{table="db.t500"}')).toBe(0);
    expect(sample(text, 'rethinkql_feed_events_total{table="other"}')).toBe(2);
  });
});

describe('subscription metrics', () => {
  it('count active subscriptions, open feeds, graphql-ws sessions and delivered events', async () => {
    const table = uniqueTable('live');
    await gw.ok(`mutation { createTable(table: "${table}") { name } }`);
    const clients = new WsClients();
    try {
      const before = await scrape();
      const client = clients.open(gw.app.url.replace('localhost', '127.0.0.1'));
      const events = subscribeWs(client, `subscription { changes(table: "${table}") { type id } }`);
      await events.until((data) => data.length >= 1, 'READY');
      await gw.ok(`mutation { insert(table: "${table}", documents: [{ id: "a" }]) { inserted } }`);
      await events.until((data) => data.length >= 2, 'the ADD event');
      const during = await scrape();
      expect(sample(during, 'rethinkql_active_subscriptions')).toBe(1);
      expect(sample(during, 'rethinkql_active_feeds')).toBe(1);
      expect(sample(during, 'rethinkql_active_connections{transport="graphql-ws"}')).toBe(1);
      const delivered = 'rethinkql_subscription_events_delivered_total';
      expect(sample(during, delivered) - sample(before, delivered)).toBe(2);
      expect(sample(during, 'rethinkql_graphql_operations_total{type="subscription",operation="anonymous"}')).toBe(1);
      events.stop();
      await clients.closeAll();
      await vi.waitFor(async () => {
        const after = await scrape();
        expect(sample(after, 'rethinkql_active_subscriptions')).toBe(0);
        expect(sample(after, 'rethinkql_active_feeds')).toBe(0);
        expect(sample(after, 'rethinkql_active_connections{transport="graphql-ws"}')).toBe(0);
      }, { timeout: 10_000, interval: 50 });
    } finally {
      await clients.closeAll();
    }
  });
});

describe('request ids', () => {
  it('echoes a client X-Request-Id and makes one up otherwise', async () => {
    const url = `http://127.0.0.1:${gw.app.port}/graphql`;
    const init = { method: 'POST', body: JSON.stringify({ query: '{ databases }' }) };
    const given = await fetch(url, { ...init, headers: { 'content-type': 'application/json', 'x-request-id': 'client-42' } });
    expect(given.headers.get('x-request-id')).toBe('client-42');
    const made = await fetch(url, { ...init, headers: { 'content-type': 'application/json', 'x-request-id': 'bad id\twith spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads delivered events and the queue-depth histogram as prom-client writes them (cumulative buckets, +Inf, sum, count)', async () => {
    const metrics = new Metrics();
    metrics.delivered(1, 0);
    metrics.delivered(1, 0);
    metrics.delivered(2, 3);
    metrics.delivered(1, 5000);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'rethinkql_subscription_events_delivered_total')).toBe(5);
    const depth = 'rethinkql_subscriber_queue_depth';
    expect(text).toContain(`# TYPE ${depth} histogram`);
    expect([0, 2, 5, 1000, '+Inf'].map((le) => sample(text, `${depth}_bucket{le="${le}"}`))).toEqual([2, 2, 3, 3, 4]);
    expect(sample(text, `${depth}_sum`)).toBe(5003);
    expect(sample(text, `${depth}_count`)).toBe(4);
    metrics.registry.resetMetrics();
    expect(sample(await metrics.registry.metrics(), `${depth}_count`)).toBe(0);
  });
});
