import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode, type Context as TraceContext, type Span } from '@opentelemetry/api';
import { describeQuery } from '../db/query-shape.js';
import type { BatchTracer } from '../db/loaders.js';
import type { QueryTracer } from '../db/pool.js';
import type { PacketTracer } from '../rdm/sockets.js';
import type { DeliveryTracer } from '../subscriptions/subscriber-queue.js';
import type { Tracing } from './tracing.js';

/** Probes and scrapes: not operations, and frequent enough to flood a trace store. */
const UNTRACED_PATHS = new Set(['/health', '/metrics', '/ready']);

/**
 * One span per database round trip: `<TERM> <table>` (e.g. `GET_ALL players`), with the
 * database, the table and the ReQL term type — never a document value or a filter's constants.
 */
export function queryTracer(tracing: Tracing): QueryTracer {
  return (query, send) => {
    // Only queries made for a sampled operation: background work (schema refresh, pruning,
    // probes) outside any request would be a stream of one-span traces, and a sampled-out
    // operation's children are not recorded anyway (no need to describe the query).
    if (!tracing.activeSpan()?.isRecording()) return send();
    const shape = describeQuery(query);
    const attributes: Record<string, string> = { 'db.system.name': 'rethinkdb', 'db.operation.name': shape.term };
    if (shape.db !== undefined) attributes['db.namespace'] = shape.db;
    if (shape.table !== undefined) attributes['db.collection.name'] = shape.table;
    return tracing.inSpan(shape.table === undefined ? shape.term : `${shape.term} ${shape.table}`, { kind: SpanKind.CLIENT, attributes }, send);
  };
}

/** One span per DataLoader batch (`dataloader.batch <table>`), parent of the round trips it makes. */
export function batchTracer(tracing: Tracing): BatchTracer {
  return (batch, read) => {
    if (!tracing.activeSpan()?.isRecording()) return read();
    const attributes: Record<string, string | number> = { 'db.namespace': batch.db, 'db.collection.name': batch.table, 'rethinkql.batch.size': batch.size };
    if (batch.index !== undefined) attributes['rethinkql.batch.index'] = batch.index;
    return tracing.inSpan(`dataloader.batch ${batch.table}`, { attributes }, read);
  };
}

/**
 * Wraps the HTTP request listener: one SERVER span per request (SSE: for the life of the stream),
 * child of the request's W3C `traceparent` when it has a valid one, ended when the response
 * closes with its status. The span is active while the request is handled, so GraphQL, RDM and
 * database spans below it join its trace. The path only: a GET's query string holds the document.
 */
export function traceRequests(tracing: Tracing, listener: (request: IncomingMessage, response: ServerResponse) => Promise<void>) {
  return (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (UNTRACED_PATHS.has(path)) return listener(request, response);
    const method = request.method ?? 'GET';
    const parent = tracing.extract(request.headers);
    const span = tracing.startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } }, parent);
    response.once('close', () => {
      span.setAttribute('http.response.status_code', response.statusCode);
      // A client leaving early (an SSE stream closed) is no server error: only 5xx are.
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    return tracing.within(span, () => listener(request, response), parent);
  };
}

/**
 * RDM websocket packets: given the upgrade request's headers, a SERVER span per packet
 * (`RDM /insert`), child of that request's `traceparent`; the reply log line carries its trace id.
 */
export function rdmPacketTracer(tracing: Tracing): (headers: IncomingHttpHeaders) => PacketTracer {
  return (headers) => {
    const parent = tracing.extract(headers);
    return (path, answer) => tracing.runIn(parent, () => tracing.inSpan(`RDM ${path.slice(0, 40)}`, { kind: SpanKind.SERVER, attributes: { 'rpc.method': path.slice(0, 80) } }, answer));
  };
}

/** A graphql-ws operation's span and how to run code with it active. */
export interface TracedOperation {
  /** Runs `fn` with the operation's span active. */
  run<T>(fn: () => T): T;
  end(failed?: boolean): void;
}

/**
 * The span of one graphql-ws operation (`graphql-ws <operation name>`, for the life of a
 * subscription), child of the `traceparent` in the subscribe message's `extensions`, else in the
 * websocket's upgrade request.
 */
export function traceWsOperation(tracing: Tracing, headers: IncomingHttpHeaders, payload: { operationName?: string | null; extensions?: Record<string, unknown> | null }): TracedOperation {
  const fromMessage = payload.extensions ? tracing.extract(payload.extensions) : undefined;
  const parent = fromMessage && tracing.spanContextOf(fromMessage) ? fromMessage : tracing.extract(headers);
  const name = payload.operationName ?? 'anonymous';
  const span = tracing.startSpan(`graphql-ws ${name}`, { kind: SpanKind.SERVER, attributes: { 'graphql.operation.name': name } }, parent);
  const active = tracing.contextWith(span, parent);
  let ended = false;
  return {
    run: (fn) => context.with(active, fn),
    end: (failed = false) => {
      if (ended) return;
      ended = true;
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * Subscription delivery spans: called when a subscriber joins (inside its subscribe span), it
 * keeps that context as the parent of a `subscription.deliver` span per delivery batch — the
 * events the transport took from the subscriber's queue without waiting (src/subscriptions/subscriber-queue.ts).
 */
export function deliveryTracer(tracing: Tracing): () => DeliveryTracer {
  return () => {
    const parent: TraceContext = context.active();
    return () => {
      const span: Span = tracing.startSpan('subscription.deliver', { kind: SpanKind.PRODUCER }, parent);
      return (events) => {
        span.setAttribute('rethinkql.subscription.events', events);
        span.end();
      };
    };
  };
}
