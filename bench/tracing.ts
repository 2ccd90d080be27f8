import { createServer, type Server } from 'node:http';
import autocannon from 'autocannon';
import { startGatewayProcess, type BenchDatabase, type GatewayProcess, type Row } from './support.js';

/** A stand-in OTLP/HTTP collector: answers every export 200 and counts the bytes it received. */
async function startCollector(): Promise<{ url: string; bytes: () => number; server: Server }> {
  let received = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (received += chunk.length));
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1/traces`, bytes: () => received, server };
}

export interface TracingBenchOptions {
  /** The gateway the other sections measure (tracing off, the default). */
  url: string;
  /** POST bodies the load cycles through (get-by-id queries). */
  bodies: readonly string[];
  concurrency: number;
  durationMs: number;
}

/**
 * Section 9: what tracing costs on the get-by-id load. Three gateways side by side, interleaved
 * in two rounds so drift on shared cores hits all alike: tracing off (the default); on with every
 * request sampled and exported over OTLP/HTTP to a local collector; on but sampled out
 * (OTEL_TRACES_SAMPLER=always_off: the cost of the hooks alone).
 */
export async function measureTracing(db: BenchDatabase, { url, bodies, concurrency, durationMs }: TracingBenchOptions): Promise<Row[]> {
  const collector = await startCollector();
  const otlp = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url };
  const gateways: [string, GatewayProcess | undefined, string][] = [['tracing off (default)', undefined, url]];
  try {
    for (const [label, env] of [
      ['tracing on, every request exported (OTLP/HTTP)', otlp],
      ['tracing on, sampled out (always_off)', { ...otlp, OTEL_TRACES_SAMPLER: 'always_off' }],
    ] as const) {
      const gateway = await startGatewayProcess(db, env);
      gateways.push([label, gateway, gateway.url]);
    }
    const results = new Map<string, autocannon.Result[]>(gateways.map(([label]) => [label, []]));
    for (let round = 0; round < 2; round++) {
      for (const [label, , target] of gateways) {
        const requests = bodies.map((body) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json' }, body }));
        results.get(label)?.push(await autocannon({ url: target, connections: concurrency, duration: durationMs / 2000, requests }));
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const offRps = mean((results.get(gateways[0]?.[0] ?? '') ?? []).map((result) => result.requests.average));
    return [...results].map(([client, runs]) => ({
      client,
      'req/s': mean(runs.map((result) => result.requests.average)),
      'p50 ms': mean(runs.map((result) => result.latency.p50)),
      'p99 ms': mean(runs.map((result) => result.latency.p99)),
      'ratio to off': mean(runs.map((result) => result.requests.average)) / offRps,
      errors: runs.reduce((sum, result) => sum + result.errors + result.non2xx, 0),
      'OTLP KiB': client === gateways[1]?.[0] ? collector.bytes() / 1024 : 0,
    }));
  } finally {
    for (const [, gateway] of gateways) await gateway?.stop();
    await new Promise((resolve) => collector.server.close(resolve));
  }
}
