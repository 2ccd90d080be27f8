// Section 8 of bench/run.ts: what trusted documents cost. The same get-by-id load (POST, plain
// JSON: the fast path) against three gateway processes on one database: trusted documents off
// (the default: must cost nothing), on with clients sending a `documentId`, and on with a bypass
// role sending the document's text. Interleaved rounds, so drift on the shared cores hits all alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Gate } from '../src/auth/gate.js';
import { defaultConfig } from '../src/config/config.js';
import { TrustedDocuments } from '../src/graphql/trusted-documents.js';
import { createServer } from '../src/http/server.js';
import { createLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import type { RdmTranslator } from '../src/rdm/translator.js';
import type { Channels } from '../src/subscriptions/channels.js';
import type { SubscriptionHub } from '../src/subscriptions/hub.js';
import { stubData } from './graphql-layer.js';
import { startGatewayProcess, type BenchDatabase, type Row } from './support.js';

const DOCUMENT = 'query Get($id: ID!) { document(db: "bench", table: "players", id: $id) }';
const ID = 'sha256:bench-get';

/** Requests/s, latency and errors of get-by-id against each variant; `ids(i)` is the i-th document id to ask for. */
export async function measureTrustedDocuments(db: BenchDatabase, ids: (i: number) => string, options: { durationMs: number; concurrency: number; rounds: number }): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trusted-'));
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ [ID]: DOCUMENT }));
  const variables = (i: number) => ({ id: ids(i) });
  const variants: { name: string; env: Record<string, string>; body: (i: number) => Record<string, unknown> }[] = [
    { name: 'off (default), document text', env: {}, body: (i: number) => ({ query: DOCUMENT, variables: variables(i) }) },
    { name: 'on, documentId', env: { TRUSTED_DOCUMENTS: manifest }, body: (i: number) => ({ documentId: ID, variables: variables(i) }) },
    { name: 'on, bypass role, document text', env: { TRUSTED_DOCUMENTS: manifest, TRUSTED_DOCUMENTS_BYPASS_ROLES: 'admin' }, body: (i: number) => ({ query: DOCUMENT, variables: variables(i) }) },
  ];
  const gateways = await Promise.all(variants.map((variant) => startGatewayProcess(db, variant.env)));
  const results = variants.map(() => [] as autocannon.Result[]);
  try {
    // Every variant must answer data, not a refusal (which autocannon would count as a success).
    for (const [index, variant] of variants.entries()) {
      const response = await fetch(gateways[index]?.url ?? '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(variant.body(0)) });
      const answer = await response.text();
      if (!answer.includes('"data":{"document":{')) throw new Error(`${variant.name} answered ${answer}`);
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const [index, variant] of variants.entries()) {
        const requests = Array.from({ length: 64 }, (_, i) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(variant.body(i)) }));
        const url = gateways[index]?.url ?? '';
        results[index]?.push(await autocannon({ url, connections: options.concurrency, duration: options.durationMs / options.rounds / 1000, requests }));
      }
    }
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  const average = (runs: autocannon.Result[], pick: (run: autocannon.Result) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / Math.max(1, runs.length);
  const baseline = average(results[0] ?? [], (run) => run.requests.average);
  return variants.map((variant, index) => {
    const runs = results[index] ?? [];
    const rps = average(runs, (run) => run.requests.average);
    return {
      variant: variant.name,
      'req/s': rps,
      'p50 ms': average(runs, (run) => run.latency.p50),
      'p99 ms': average(runs, (run) => run.latency.p99),
      'ratio to off': rps / baseline,
      errors: runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0),
    };
  });
}

/**
 * The gateway's own CPU per request, without a database: three in-process HTTP servers built as
 * the gateway builds them (router, fast path, yoga) over the stub data layer of section 6, with
 * trusted documents off, on (documentId) and on for a bypass role; one client sends get-by-id
 * requests one at a time, `roundMs` per variant per round, interleaved.
 */
export async function measureTrustedLayer({ rounds, roundMs }: { rounds: number; roundMs: number }): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trusted-'));
  const manifest = join(dir, 'manifest.json');
  const document = '{ document(db: "bench", table: "players", id: "p1") }';
  writeFileSync(manifest, JSON.stringify({ [ID]: document }));
  const log = createLogger('silent');
  const variants = [
    { name: 'off (default), document text', body: { query: document }, bypass: undefined },
    { name: 'on, documentId', body: { documentId: ID }, bypass: [] },
    { name: 'on, bypass role, document text', body: { query: document }, bypass: ['admin'] },
  ];
  const servers = await Promise.all(
    variants.map(({ bypass }) => {
      const config = defaultConfig({ port: 0 });
      const trustedDocuments = bypass === undefined ? undefined : new TrustedDocuments({ path: manifest, bypassRoles: bypass, log });
      const stubs = { subscriptions: {} as SubscriptionHub, channels: {} as Channels, rdm: {} as RdmTranslator };
      return createServer({ config, data: stubData, log, metrics: new Metrics(), gate: new Gate(config.security), ...stubs, trustedDocuments });
    }),
  );
  const totals = variants.map(() => ({ count: 0, ms: 0 }));
  try {
    // Round 0 warms up (JIT, parse caches, keep-alive sockets) and is not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const [index, variant] of variants.entries()) {
        const url = (servers[index]?.url ?? '').replace('localhost', '127.0.0.1');
        const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(variant.body) };
        const total = round === 0 ? { count: 0, ms: 0 } : (totals[index] ?? { count: 0, ms: 0 });
        const started = performance.now();
        while (performance.now() < started + roundMs) {
          const answer = await (await fetch(url, init)).text();
          if (!answer.startsWith('{"data":{"document":{')) throw new Error(`${variant.name} answered ${answer}`);
          total.count++;
        }
        total.ms += performance.now() - started;
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const perSecond = totals.map(({ count, ms }) => (count / ms) * 1000);
  return variants.map((variant, index) => ({
    variant: variant.name,
    'req/s': perSecond[index] ?? 0,
    'µs/req': 1e6 / (perSecond[index] ?? 1),
    'ratio to off': (perSecond[index] ?? 0) / (perSecond[0] ?? 1),
  }));
}
