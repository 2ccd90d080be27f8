import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigError, boolean, settings, text, type ValuesOf } from '../setting.js';

/** The span exporters OTEL_TRACES_EXPORTER may name here (the spec's names). */
export type TraceExporterName = 'otlp' | 'console';

/** OpenTelemetry tracing, from the standard OTEL_* variables (src/observability/tracing.ts). */
export interface TracingConfig {
  /** Where spans go; empty: tracing is off (no tracer provider, no spans). @default [] */
  exporters: readonly TraceExporterName[];
  /** The OTLP/HTTP traces URL; undefined: the exporter's default (http://localhost:4318/v1/traces). */
  otlpTracesUrl?: string;
  /** `service.name` when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES gives one. @default 'rethinkql' */
  serviceName: string;
  /** Spans go to this exporter instead (tests, embedding); tracing is on when it is set. */
  spanExporter?: SpanExporter;
}

/** OTEL_TRACES_EXPORTER: a comma-separated list of otlp, console, none (the spec's meanings). */
function exporterList(raw: string, name: string): readonly (TraceExporterName | 'none')[] {
  const items = raw.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);
  for (const item of items) {
    if (item !== 'otlp' && item !== 'console' && item !== 'none') {
      throw new ConfigError(`${name}: "${item}" is not a supported traces exporter (otlp, console or none)`);
    }
  }
  return items as (TraceExporterName | 'none')[];
}

/** An http(s) URL (OTLP over HTTP). */
function url(raw: string, name: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL like http://collector:4318 (got "${raw}")`);
  return parsed.href;
}

/** The standard OpenTelemetry variables the gateway reads itself (the SDK reads the others, e.g. OTEL_TRACES_SAMPLER, OTEL_BSP_*). */
export const TRACING = settings({
  otelSdkDisabled: { flag: false, file: false, parse: boolean, fallback: false, help: ['true: no telemetry at all, whatever else is set {env}'] },
  otelTracesExporter: {
    flag: false,
    file: false,
    empty: 'unset',
    parse: exporterList,
    fallback: undefined,
    help: ['otlp, console or none; tracing is on when it names an exporter, or when an', 'OTLP endpoint is set and it is unset {env}'],
  },
  otelExporterOtlpEndpoint: { flag: false, file: false, empty: 'unset', parse: url, fallback: undefined, help: ['OTLP/HTTP base URL; traces go to <url>/v1/traces {env}'] },
  otelExporterOtlpTracesEndpoint: { flag: false, file: false, empty: 'unset', parse: url, fallback: undefined, help: ['OTLP/HTTP traces URL, used as given {env}'] },
  otelServiceName: { flag: false, file: false, empty: 'unset', parse: text, fallback: undefined, help: ['service.name of the spans {env} (default rethinkql)'] },
});

/**
 * Tracing as the spec gives the variables their meanings: OTEL_SDK_DISABLED=true turns it off;
 * OTEL_TRACES_EXPORTER lists the exporters (`none` alone: off); unset, the spec's default `otlp`
 * applies only when an OTLP endpoint was configured — without one tracing stays off, so a gateway
 * never sends spans to a collector nobody set up. The traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`.
 */
export function tracingFrom(values: ValuesOf<typeof TRACING>): TracingConfig {
  const { otelSdkDisabled, otelTracesExporter, otelExporterOtlpEndpoint, otelExporterOtlpTracesEndpoint, otelServiceName } = values;
  const endpointSet = otelExporterOtlpEndpoint !== undefined || otelExporterOtlpTracesEndpoint !== undefined;
  const named = otelTracesExporter ?? (endpointSet ? ['otlp' as const] : []);
  const exporters = otelSdkDisabled ? [] : [...new Set(named.filter((name): name is TraceExporterName => name !== 'none'))];
  const otlpTracesUrl = otelExporterOtlpTracesEndpoint ?? (otelExporterOtlpEndpoint === undefined ? undefined : `${otelExporterOtlpEndpoint.replace(/\/+$/, '')}/v1/traces`);
  return { exporters, otlpTracesUrl, serviceName: otelServiceName ?? 'rethinkql' };
}
