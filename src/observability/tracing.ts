import type { IncomingHttpHeaders } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Context as TraceContext, type Span, type SpanContext, type SpanOptions, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config/config.js';
import type { Logger } from './logger.js';

/** Longest wait for the last spans at shutdown: an unreachable collector must not hold up a stop. */
const SHUTDOWN_WAIT_MS = 2000;
/** At most one "export failed" line per this many ms while a collector stays unreachable. */
const EXPORT_ERROR_LOG_MS = 60_000;

/** Reads `traceparent`/`tracestate` from Node's lower-cased headers or a plain object (graphql-ws extensions). */
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')) ? (value as string | string[]) : undefined;
  },
};

/** A short, value-free name for a failure: a domain error's code, else the error's class name. */
export function errorTypeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Marks a span failed with the error's type only (messages may quote document values). */
export function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute('error.type', errorTypeOf(error));
}

/**
 * Wraps an exporter so that a failed export (collector down, timeout) is logged — at most once a
 * minute — and never thrown: spans are telemetry, the requests they describe must not notice.
 */
class LoggedExporter implements SpanExporter {
  private lastLogged = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly inner: SpanExporter,
    private readonly log: Logger,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const report = (result: ExportResult) => {
      if (result.code !== ExportResultCode.SUCCESS) this.failed(spans.length, result.error);
      done(result);
    };
    try {
      this.inner.export(spans, report);
    } catch (error) {
      report({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private failed(count: number, error: Error | undefined): void {
    const now = performance.now();
    if (now - this.lastLogged < EXPORT_ERROR_LOG_MS) return;
    this.lastLogged = now;
    this.log.warn({ spans: count, reason: error?.message }, 'trace export failed; spans dropped (next failures within a minute are not logged)');
  }
}

/** The Tracing that registered its provider with the OpenTelemetry API (one per process), and how many are running. */
let registeredBy: Tracing | undefined;
let running = 0;

/**
 * The gateway's tracer, present only with tracing on (`startTracing`): everything that traces
 * holds an optional Tracing, so with tracing off no span object is made and no work is added.
 */
export class Tracing {
  private readonly propagator = new W3CTraceContextPropagator();
  private stopped = false;
  readonly tracer: Tracer;

  constructor(
    private readonly provider: NodeTracerProvider,
    private readonly log: Logger,
  ) {
    this.tracer = provider.getTracer('rethinkql');
  }

  /** The trace context of W3C `traceparent`/`tracestate` in `carrier` (request headers); the root context when absent or malformed. */
  extract(carrier: IncomingHttpHeaders | Record<string, unknown>): TraceContext {
    return this.propagator.extract(ROOT_CONTEXT, carrier, headerGetter);
  }

  /** Starts a span, child of `parent` (default: the active context); the caller ends it. */
  startSpan(name: string, options?: SpanOptions, parent: TraceContext = context.active()): Span {
    return this.tracer.startSpan(name, options, parent);
  }

  /** The context with `span` active, child of `parent`. */
  contextWith(span: Span, parent: TraceContext = context.active()): TraceContext {
    return trace.setSpan(parent, span);
  }

  /** Runs `fn` in `active` (a context made by contextWith). */
  runIn<T>(active: TraceContext, fn: () => T): T {
    return context.with(active, fn);
  }

  /** The valid remote span context `parent` carries, if any (a traceparent was extracted). */
  spanContextOf(parent: TraceContext): SpanContext | undefined {
    const found = trace.getSpanContext(parent);
    return found && trace.isSpanContextValid(found) ? found : undefined;
  }

  /** Runs `fn` with `span` active, so that spans started inside (database queries, batches) are its children. */
  within<T>(span: Span, fn: () => T, parent: TraceContext = context.active()): T {
    return context.with(trace.setSpan(parent, span), fn);
  }

  /** Runs `run` in a new span that ends when its promise settles; a rejection marks it failed (error type only). */
  async inSpan<T>(name: string, options: SpanOptions, run: () => Promise<T>): Promise<T> {
    const span = this.startSpan(name, options);
    try {
      return await this.within(span, run);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** The active span, if any (undefined outside an operation). */
  activeSpan(): Span | undefined {
    return trace.getSpan(context.active());
  }

  /** The trace id of the active span, for log lines (the RDM reply log); undefined outside a trace. */
  activeTraceId(): string | undefined {
    return this.activeSpan()?.spanContext().traceId;
  }

  /** Exports the spans ended so far (tests). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Exports what is left (waiting at most 2 s) and unregisters from the OpenTelemetry API. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (registeredBy === this) {
      trace.disable();
      propagation.disable();
      registeredBy = undefined;
    }
    // The context manager is shared by every running Tracing: it goes with the last.
    if (--running === 0) context.disable();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
    });
    const done = this.provider.shutdown().catch((error: unknown) => this.log.warn({ err: error }, 'trace exporter shutdown failed'));
    await Promise.race([done, waited]);
    clearTimeout(timer);
  }
}

/**
 * Starts tracing when the config asks for it (OTEL_* variables, see config/settings/tracing.ts),
 * else returns undefined and registers nothing. Spans go through a batch processor (OTEL_BSP_*
 * honoured), so exporting never runs on a request's path and a failing collector only costs
 * dropped spans and a log line. The first Tracing of the process registers its provider with the
 * OpenTelemetry API (with an AsyncLocalStorage context manager, which carries the active span
 * through awaits, and the W3C propagator); later ones (tests) use their own provider directly.
 */
export function startTracing(config: TracingConfig, log: Logger): Tracing | undefined {
  const exporters: SpanExporter[] = config.spanExporter
    ? [config.spanExporter]
    : config.exporters.map((name) => (name === 'otlp' ? new OTLPTraceExporter(config.otlpTracesUrl ? { url: config.otlpTracesUrl } : {}) : new ConsoleSpanExporter()));
  if (exporters.length === 0) return undefined;
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: exporters.map((exporter) => new BatchSpanProcessor(new LoggedExporter(exporter, log))) });
  const tracing = new Tracing(provider, log);
  running++;
  if (!registeredBy) {
    provider.register({ propagator: new W3CTraceContextPropagator() });
    registeredBy = tracing;
  }
  log.info({ exporters: config.spanExporter ? ['custom'] : config.exporters, url: config.otlpTracesUrl }, 'OpenTelemetry tracing on');
  return tracing;
}
