import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { r, type Connection } from 'rethinkdb-ts';
import { parseRethinkdbUrl } from '../src/config/config.js';
import { startEmbeddedServer } from '../src/db/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface BenchDatabase {
  /** rethinkdb:// URL the gateway process is given. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** `embedded reqlite` or `RethinkDB at host:port`. */
  label: string;
  /** A real RethinkDB (RETHINKDB_URL) rather than the embedded reqlite. */
  real: boolean;
  stop(): Promise<void>;
}

/** The database under test: RETHINKDB_URL when set, else a fresh embedded reqlite. */
export async function startDatabase(): Promise<BenchDatabase> {
  if (process.env.RETHINKDB_URL) {
    const { target } = parseRethinkdbUrl(process.env.RETHINKDB_URL);
    return { url: process.env.RETHINKDB_URL, host: target.host, port: target.port, user: target.user, password: target.password, label: `RethinkDB at ${target.host}:${target.port}`, real: true, stop: async () => undefined };
  }
  const server = await startEmbeddedServer();
  const url = `rethinkdb://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
  return { url, host: server.host, port: server.port, user: server.user, password: server.password, label: 'embedded reqlite', real: false, stop: () => server.stop() };
}

/** `npm run build` unless dist/ is up to date (scripts/build.mjs --if-stale). */
export function buildIfStale(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building dist/ failed (exit ${result.status})`);
}

export interface GatewayProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the real gateway CLI (or another `script` that prints "rethinkql ready: <url>") in its
 * own process against `db`, on a free port.
 */
export async function startGatewayProcess(db: BenchDatabase, env: Record<string, string> = {}, script = 'src/main.ts'): Promise<GatewayProcess> {
  // The gateway as `npm start` and the Docker image run it: the compiled dist/ (built first when
  // stale), not tsx's on-the-fly transform (which wraps every function it creates in a name-keeping helper).
  // Other scripts (bench/gateway-tuned.ts) import the compiled gateway too; BENCH_GATEWAY_BUILD=src runs the sources.
  const compiled = process.env.BENCH_GATEWAY_BUILD !== 'src';
  if (compiled) buildIfStale();
  const built = compiled && script === 'src/main.ts';
  const child: ChildProcess = spawn(process.execPath, built ? ['dist/main.js'] : ['--import', 'tsx', script], {
    cwd: root,
    // WS_PORT off: the legacy RDM listener's fixed port 8765 would clash with any other gateway running.
    // NODE_ENV=production as the Docker image sets it (graphql-js then skips its development-only
    // checks, ~3% of a request's CPU); it also turns GraphiQL and introspection off, unused here.
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', WS_PORT: 'off', LOG_LEVEL: 'warn', RETHINKDB_URL: db.url, MAX_LIMIT: '10000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/rethinkql ready: (\S+)/);
      if (match?.[1]) resolve(match[1].replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready`)));
  });
  return {
    url,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A raw driver connection to the same database (no-delay, like the gateway's). */
export function connectRaw(db: BenchDatabase): Promise<Connection> {
  return r.connect({ server: { host: db.host, port: db.port, noDelay: true }, user: db.user, password: db.password, silent: true });
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
}

/** Runs `operation` from `concurrency` workers for `durationMs`; latency percentiles in ms. */
export async function measureConcurrent(operation: (i: number) => Promise<unknown>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await operation(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { requestsPerSecond: latencies.length / elapsed, ...percentiles(latencies), total: latencies.length };
}

export function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * Runs `operation` `repeats` times one after another; p50 and p99 of its durations in ms. Warm-up
 * runs go first, unmeasured (4 per repeat up to 200, or as many as fit in 2 s): V8 optimizes a code path only after
 * many runs, and a section run alone (BENCH_SECTIONS) would otherwise time a cold gateway and
 * client (measured: section 2's 100 fields 7.3 ms p50 alone, 5.9 ms after 10 warm-up runs,
 * 3.9–4.3 ms after section 1's load).
 */
export async function timed(repeats: number, operation: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const [times] = await timedInTurn(repeats, [operation]);
  return times ?? { p50: Number.NaN, p99: Number.NaN };
}

/**
 * `timed` for several operations measured in turn (a, b, a, b, ...; warm-up likewise): drift of the
 * machine or the database over the run then hits each alike. Measured back to back instead,
 * 50 gateway inserts then 50 raw ones after section 3's scans, the gateway's came out 2.04 ms
 * p50 against 1.32 ms in a run of their own.
 */
export async function timedInTurn(repeats: number, operations: readonly (() => Promise<unknown>)[]): Promise<{ p50: number; p99: number }[]> {
  const warm = performance.now() + 2000;
  for (let i = 0; i < Math.min(200, repeats * 4) && performance.now() < warm; i++) for (const operation of operations) await operation();
  const times = operations.map((): number[] => []);
  for (let i = 0; i < repeats; i++) {
    for (const [k, operation] of operations.entries()) {
      const t0 = performance.now();
      await operation();
      times[k]?.push(performance.now() - t0);
    }
  }
  return times.map(percentiles);
}

/**
 * Kept-alive connections for `gql`. Node's fetch (undici) costs ~0.5 ms more per request than
 * `http.request` on this machine (measured: `{ __typename }` p50 0.94 vs 0.45 ms, sequential), a
 * cost of the load generator that latency rows would otherwise charge to the gateway.
 */
const agent = new Agent({ keepAlive: true });

/** POSTs one GraphQL operation over a kept-alive connection; throws on errors. */
export async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const payload = JSON.stringify({ query, variables });
  const text = await new Promise<string>((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString()));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data ?? {};
}

export type Row = Record<string, string | number>;

/** Prints rows as an aligned text table (and returns it, for docs). */
export function printTable(title: string, rows: Row[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: string | number | undefined) => (typeof value === 'number' ? format(value) : (value ?? ''));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(cell(row[column])).length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const text = [`\n### ${title}`, line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(columns.map((c) => String(cell(row[c])))))].join('\n');
  console.log(text);
  return text;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
