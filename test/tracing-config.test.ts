import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../src/config/config.js';

/** The tracing config the OTEL_* variables `env` give. */
function tracingOf(env: Record<string, string>): Config['tracing'] {
  const config = loadConfig([], env);
  if (config === 'help') throw new Error('unexpected help');
  return config.tracing;
}

// The OTEL_* variables keep the meanings the OpenTelemetry spec gives them; tracing is off unless asked for.
describe('tracing settings (OTEL_*)', () => {
  it('is off with nothing set, and with OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingOf({}).exporters).toEqual([]);
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporters).toEqual([]);
  });

  it('takes the spec default (otlp) when only an endpoint is set, and appends /v1/traces to the base endpoint', () => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({ exporters: ['otlp'], otlpTracesUrl: 'http://collector:4318/v1/traces' });
    // The signal-specific endpoint is used as given, and wins.
    const both = tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' });
    expect(both.otlpTracesUrl).toBe('http://b:4318/custom');
  });

  it('lists exporters, names the service, and turns everything off with OTEL_SDK_DISABLED=true', () => {
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp, console', OTEL_SERVICE_NAME: 'edge-gw' })).toMatchObject({ exporters: ['otlp', 'console'], serviceName: 'edge-gw' });
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'console' }).serviceName).toBe('rethinkql');
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).exporters).toEqual([]);
  });

  it('refuses an exporter it does not have, and an endpoint that is no URL, naming the variable', () => {
    expect(() => tracingOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => tracingOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER: "zipkin"/);
    expect(() => tracingOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    expect(() => tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });
});
