import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Config } from '../src/config/config.js';
import { packet } from './support/rdm.js';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { subscribeSse, WsClients } from './support/subscriptions.js';

// Tracing off must leave no trace in the process; the file starts with that, before any gateway
// with tracing on registers a provider (the OpenTelemetry API's registrations are process-wide).

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const traceparent = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;
/** A field value no span may carry (document values never reach attributes). */
const SECRET = 'sekrit-value-4711';

/** A log sink: every JSON line the gateway writes. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, sink) };
}

function post(gw: TestGateway, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/graphql', gw.app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
}

describe('tracing off (the default)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it('registers no tracer provider and no context manager, and records nothing', async () => {
    const response = await post(gw, '{ databases }', { traceparent });
    expect(response.status).toBe(200);
    await response.text();
    expect(gw.app.tracing).toBeUndefined();
    // The API's global provider is still its no-op: its spans record nothing and have no ids.
    const probe = trace.getTracer('probe').startSpan('probe');
    expect(probe.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(probe.spanContext())).toBe(false);
    probe.end();
    // No context manager: a value set with context.with is not carried.
    const key = createContextKey('probe');
    expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBeUndefined();
  });
});

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const { lines, log } = capturedLog();
  const clients = new WsClients();
  let gw: TestGateway;
  let table: string;
  beforeAll(async () => {
    const tracing: Config['tracing'] = { exporters: [], serviceName: 'rethinkql-test', spanExporter: exporter };
    gw = await startTestGateway({ tracing }, log);
    table = uniqueTable('traced');
    await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
    const documents = [1, 2, 3].map((i) => ({ id: `d${i}`, secret: SECRET }));
    await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: documents });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => gw?.close());

  /** The spans of the trace whose root (or remote-parented) span is the HTTP request, once it ended. */
  async function spansOf(traceId: string | undefined, rootName: string): Promise<ReadableSpan[]> {
    let spans: ReadableSpan[] = [];
    await vi.waitFor(async () => {
      await gw.app.tracing?.flush();
      spans = exporter.getFinishedSpans().filter((span) => traceId === undefined || span.spanContext().traceId === traceId);
      expect(spans.map((span) => span.name)).toContain(rootName);
    });
    return spans;
  }
  const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) => spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
  const one = (spans: ReadableSpan[], name: string) => {
    const found = spans.filter((span) => span.name === name);
    expect(found.map((span) => span.name)).toEqual([name]);
    return found[0] as ReadableSpan;
  };

  // The fast path (plain JSON POST) and yoga's own path (a CORS request) trace the same tree.
  it.each([
    ['the fast path', {}],
    ['yoga', { origin: 'http://example.test' }],
  ])('traces one query with two batched reads as one tree, through %s', async (_path, headers: Record<string, string>) => {
    const query = `{ a: document(table: "${table}", id: "d1") b: document(table: "${table}", id: "d2") }`;
    await (await post(gw, query, headers)).text(); // warm: table metadata cached, document parsed
    await gw.app.tracing?.flush();
    exporter.reset();
    const response = await post(gw, query, headers);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ a: { id: 'd1', secret: SECRET }, b: { id: 'd2', secret: SECRET } });
    const spans = await spansOf(undefined, 'POST /graphql');
    const root = one(spans, 'POST /graphql');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/graphql', 'http.response.status_code': 200 });
    expect(spans.every((span) => span.spanContext().traceId === root.spanContext().traceId)).toBe(true);
    const phases = childrenOf(spans, root);
    expect(phases.map((span) => span.name).sort()).toEqual(['graphql.execute', 'graphql.parse', 'graphql.validate']);
    const execute = one(phases, 'graphql.execute');
    expect(execute.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'anonymous' });
    const batch = one(childrenOf(spans, execute), `dataloader.batch ${table}`);
    expect(batch.attributes).toMatchObject({ 'db.collection.name': table, 'rethinkql.batch.size': 2 });
    const [roundTrip, ...more] = childrenOf(spans, batch);
    expect(more).toEqual([]);
    // reqlite's plan maps get over the ids; RethinkDB's is getAll (src/db/dialect.ts).
    expect(['MAP', 'GET_ALL']).toContain(roundTrip?.attributes['db.operation.name']);
    expect(roundTrip?.attributes).toMatchObject({ 'db.system.name': 'rethinkdb', 'db.collection.name': table, 'db.namespace': gw.dbs.default });
    // Neither the ids asked for nor the documents' values appear anywhere.
    const attributes = JSON.stringify(spans.map((span) => span.attributes));
    expect(attributes).not.toContain(SECRET);
    expect(attributes).not.toMatch(/"d[12]"/);
  });

  it('leaves background queries (a schema refresh) untraced: no one-span traces', async () => {
    await gw.app.tracing?.flush();
    exporter.reset();
    const before = gw.app.data.pool.queryCount;
    await gw.app.schema.refresh();
    expect(gw.app.data.pool.queryCount).toBeGreaterThan(before);
    await gw.app.tracing?.flush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual([]);
  });

  it('continues the trace of an incoming traceparent, and logs its id with the RDM reply', async () => {
    exporter.reset();
    await (await post(gw, `{ document(table: "${table}", id: "d3") }`, { traceparent })).text();
    const spans = await spansOf(TRACE_ID, 'POST /graphql');
    const root = one(spans, 'POST /graphql');
    expect(root.spanContext().traceId).toBe(TRACE_ID);
    expect(root.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining(['graphql.execute', `GET ${table}`]));

    const rdm = await fetch(new URL('/rdm/get', gw.app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent, 'x-request-id': 'rdm-traced' },
      body: JSON.stringify(packet({ database: gw.dbs.default, table, identifier: 'd3' })),
    });
    expect(rdm.status).toBe(200);
    await rdm.text();
    expect(lines.find((line) => line.msg === 'RDM request' && line.requestId === 'rdm-traced')).toMatchObject({ traceId: TRACE_ID });

    // An RDM websocket: the upgrade request's traceparent is the parent of each packet's span.
    const ws = new WebSocket(new URL('/rdm/get', gw.app.url.replace(/^http/, 'ws')), { headers: { traceparent, 'x-request-id': 'rdm-ws-traced' } });
    const reply = new Promise((resolve) => ws.once('message', resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify(packet({ database: gw.dbs.default, table, identifier: 'd3' })));
    await reply;
    ws.close();
    expect(lines.find((line) => line.msg === 'RDM request' && line.requestId === 'rdm-ws-traced')).toMatchObject({ traceId: TRACE_ID });
    const packetSpan = one(await spansOf(TRACE_ID, 'RDM /get'), 'RDM /get');
    expect(packetSpan.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
  });

  it('gives a graphql-ws operation its span (traceparent in extensions) and each delivery batch a child span', async () => {
    exporter.reset();
    const client = clients.open(new URL('/graphql', gw.app.url).href);
    const events: unknown[] = [];
    const stop = client.subscribe(
      { query: `subscription($t: String!) { changes(table: $t) { type } }`, variables: { t: table }, extensions: { traceparent } },
      { next: (result) => events.push(result), error: () => undefined, complete: () => undefined },
    );
    await vi.waitFor(() => expect(events).toHaveLength(1)); // READY
    await gw.ok(`mutation($t: String!) { update(table: $t, id: "d1", patch: { n: 1 }) }`, { t: table });
    await vi.waitFor(() => expect(events).toHaveLength(2));
    stop();
    const spans = await spansOf(TRACE_ID, 'graphql-ws anonymous');
    const operation = one(spans, 'graphql-ws anonymous');
    expect(operation.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    const subscribe = one(childrenOf(spans, operation), 'graphql.subscribe');
    const deliveries = childrenOf(spans, subscribe).filter((span) => span.name === 'subscription.deliver');
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    const delivered = deliveries.reduce((sum, span) => sum + Number(span.attributes['rethinkql.subscription.events']), 0);
    expect(delivered).toBe(2);
  });

  it('traces an SSE subscription as its HTTP request, with its delivery batches under graphql.subscribe', async () => {
    exporter.reset();
    const sse = subscribeSse(new URL('/graphql', gw.app.url).href, `subscription($t: String!) { changes(table: $t) { type } }`, { t: table }, { traceparent });
    await sse.until((data) => data.length === 1, 'READY');
    await gw.ok(`mutation($t: String!) { update(table: $t, id: "d2", patch: { n: 2 }) }`, { t: table });
    await sse.until((data) => data.length === 2, 'the change');
    sse.stop();
    const spans = await spansOf(TRACE_ID, 'POST /graphql');
    const root = one(spans, 'POST /graphql');
    expect(root.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    const subscribe = one(childrenOf(spans, root), 'graphql.subscribe');
    const deliveries = childrenOf(spans, subscribe).filter((span) => span.name === 'subscription.deliver');
    expect(deliveries.reduce((sum, span) => sum + Number(span.attributes['rethinkql.subscription.events']), 0)).toBe(2);
  });
});

describe('an unreachable OTLP collector', () => {
  const saved = { ...process.env };
  const held: Socket[] = [];
  // A collector that accepts connections and never answers: every export hangs until its timeout.
  const blackhole = createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  let gw: TestGateway | undefined;
  afterAll(async () => {
    process.env = saved;
    await gw?.close();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it('never fails a request, answers while an export hangs, and only logs the failure', async () => {
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as { port: number }).port;
    // Read by the SDK's batch processor and the OTLP exporter: export every 20 ms, give up after 300 ms.
    process.env.OTEL_BSP_SCHEDULE_DELAY = '20';
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '300';
    const { lines, log } = capturedLog();
    gw = await startTestGateway({ tracing: { exporters: ['otlp'], otlpTracesUrl: `http://127.0.0.1:${port}/v1/traces`, serviceName: 'rethinkql-test' } }, log);
    await gw.ok('{ databases }');
    await vi.waitFor(() => expect(held.length).toBeGreaterThan(0)); // an export is in flight, unanswered
    for (let i = 0; i < 20; i++) expect(await gw.ok('{ databases }')).toHaveProperty('databases');
    await vi.waitFor(() => expect(lines.some((line) => line.msg?.toString().startsWith('trace export failed'))).toBe(true), { timeout: 10_000 });
    expect(lines.filter((line) => (line.level as number) >= 50)).toEqual([]);
    expect(await gw.ok('{ databases }')).toHaveProperty('databases');
    await gw.close(); // resolves although the collector never answers (shutdown waits at most 2 s)
  });
});
