// Section 8 of bench/run.ts: what trusted documents cost. The same get-by-id load (POST, plain
// JSON: the fast path) against three gateway processes on one database: trusted documents off
// (the default: must cost nothing), on with clients sending a `documentId`, and on with a bypass
// role sending the document's text. Interleaved rounds, so drift on the shared cores hits all alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
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
