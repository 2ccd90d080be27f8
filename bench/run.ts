/**
 * `npm run bench` — the gateway against the raw driver, measured side by side in one run on the
 * same database (embedded reqlite, or RETHINKDB_URL when set). `--smoke` runs tiny sizes so the
 * harness itself is tested (test/bench-smoke.test.ts); its figures mean nothing.
 *
 * The gateway runs in its own process (the real CLI); load comes from this process.
 * BENCH_SUBSCRIBERS=1,100,1000,10000 (default) sets the fan-out subscriber counts (BENCH_SSE_SUBSCRIBERS=1000
 * (default; empty: none) those over SSE; BENCH_FILTERED=1000x10,
 * the distinct filtered subscriptions; 0 skips them; BENCH_FANOUT_BASELINE=1,1000 also runs those counts with shared
 * execution off; BENCH_CPU_PROF=dir profiles the gateway; gateways run compiled, as `npm start`
 * does (dist/, built when stale): BENCH_GATEWAY_BUILD=src runs them from src/ through tsx); BENCH_SECTIONS=1,4
 * runs only those sections; BENCH_IDLE_SUBSCRIPTIONS=5000 (default) sets how many idle subscriptions
 * the memory figure holds. BENCH_KEYSET_ROWS=100000 (default) sets the rows section 11 pages through.
 * Section 12 starts a 3-node RethinkDB cluster of its own (the server binary).
 */
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { r, type RDatum } from 'rethinkdb-ts';
import { startApp } from '../src/app.js';
import { defaultConfig, parseRethinkdbUrl } from '../src/config/config.js';
import { ConnectionPool } from '../src/db/pool.js';
import { createLogger } from '../src/observability/logger.js';
import type { ExecutionTuning } from '../src/http/server.js';
import { runFanout } from './fanout.js';
import { measureCluster } from './cluster.js';
import { measureDispatch } from './dispatch.js';
import { measureAggregates } from './aggregates.js';
import { measureGraphqlLayer } from './graphql-layer.js';
import { measureTracing } from './tracing.js';
import { measureTrustedDocuments, measureTrustedLayer } from './trusted-documents.js';
import { measureKeyset } from './keyset.js';
import { connectRaw, gql, timed, timedInTurn, measureConcurrent, type LoadResult, printTable, startDatabase, startGatewayProcess, type BenchDatabase, type Row } from './support.js';

const smoke = process.argv.includes('--smoke');
const size = {
  docs: smoke ? 200 : 10_000,
  durationMs: smoke ? 300 : 8_000,
  concurrency: smoke ? 4 : 32,
  repeats: smoke ? 3 : 50,
};
/** BENCH_SECTIONS=1,6 runs only those sections (default: all). */
const sections = process.env.BENCH_SECTIONS?.split(',').map((section) => Number(section.trim()));
const runs = (section: number) => !sections || sections.includes(section);
const DB = 'bench';
const TABLE = 'players';

async function seed(db: BenchDatabase): Promise<void> {
  const conn = await connectRaw(db);
  if (!(await r.dbList().run(conn)).includes(DB)) await r.dbCreate(DB).run(conn);
  if ((await r.db(DB).tableList().run(conn)).includes(TABLE)) await r.db(DB).tableDrop(TABLE).run(conn);
  await r.db(DB).tableCreate(TABLE).run(conn);
  if (db.real) await r.db(DB).table(TABLE).wait().run(conn);
  // An index on score: the raw driver's best plan for section 3 uses it, and so may the gateway's.
  await r.db(DB).table(TABLE).indexCreate('score').run(conn);
  await r.db(DB).table(TABLE).indexWait('score').run(conn);
  const docs = Array.from({ length: size.docs }, (_, i) => ({ id: `p${i}`, name: `player ${i}`, score: (i * 7919) % 1000, team: { name: ['red', 'blue', 'green'][i % 3] } }));
  for (let i = 0; i < docs.length; i += 1000) await r.db(DB).table(TABLE).insert(docs.slice(i, i + 1000)).run(conn);
  await conn.close();
}

function poolFor(db: BenchDatabase): ConnectionPool {
  const { target } = parseRethinkdbUrl(db.url);
  // The driver as an application uses it: one socket write per query (no coalescing).
  return new ConnectionPool({ ...target, size: 4, coalesceWrites: false });
}

const idAt = (i: number) => `p${(i * 104_729) % size.docs}`;

/** The gateway as it ran before this stop's hot-path fixes (bar the table-term cache): yoga's full Fetch path, one socket write per query. */
const BEFORE_TUNING: ExecutionTuning = { coalesceWrites: false, fastPath: false };

/** 64 get-by-id requests over the seeded table. */
const getByIdBodies = () => Array.from({ length: 64 }, (_, i) => JSON.stringify({ query: `{ document(db: "${DB}", table: "${TABLE}", id: "${idAt(i)}") }` }));

async function getById(db: BenchDatabase, url: string, pool: ConnectionPool): Promise<Row[]> {
  const bodies = getByIdBodies();
  const load = (target: string, durationMs: number) =>
    autocannon({
      url: target,
      connections: size.concurrency,
      duration: durationMs / 1000,
      requests: bodies.map((body) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json' }, body })),
    });
  const before = await startGatewayProcess(db, { BENCH_TUNING: JSON.stringify(BEFORE_TUNING) }, 'bench/gateway-tuned.ts');
  // Two interleaved rounds of half the duration each, so drift on the shared cores hits all three alike.
  const runs: { served: autocannon.Result[]; before: autocannon.Result[]; raw: LoadResult[] } = { served: [], before: [], raw: [] };
  const rawGet = (i: number) => pool.run(r.db(DB).table(TABLE).get(idAt(i)));
  try {
    // Warm-up, unmeasured, as for every latency figure (timed()): V8 optimizes the hot paths of
    // each process only after thousands of requests; a cold first round measured the JIT (0.40 of
    // raw cold against 0.60 warm, same machine, same hour).
    await load(url, size.durationMs / 4);
    await load(before.url, size.durationMs / 4);
    await measureConcurrent(rawGet, size.concurrency, size.durationMs / 4);
    for (let round = 0; round < 2; round++) {
      runs.served.push(await load(url, size.durationMs / 2));
      runs.before.push(await load(before.url, size.durationMs / 2));
      runs.raw.push(await measureConcurrent(rawGet, size.concurrency, size.durationMs / 2));
    }
  } finally {
    await before.stop();
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const rawRps = mean(runs.raw.map((run) => run.requestsPerSecond));
  const httpRow = (client: string, results: autocannon.Result[]): Row => {
    const rps = mean(results.map((result) => result.requests.average));
    return {
      client,
      'req/s': rps,
      'p50 ms': mean(results.map((result) => result.latency.p50)),
      'p99 ms': mean(results.map((result) => result.latency.p99)),
      'ratio to raw': rps / rawRps,
      errors: results.reduce((sum, result) => sum + result.errors + result.non2xx, 0),
    };
  };
  return [
    httpRow('gateway document(id) over HTTP', runs.served),
    httpRow('  before: no fast path, a write per query', runs.before),
    { client: 'raw rethinkdb-ts get (pool of 4)', 'req/s': rawRps, 'p50 ms': mean(runs.raw.map((run) => run.p50)), 'p99 ms': mean(runs.raw.map((run) => run.p99)), 'ratio to raw': 1, errors: 0 },
  ];
}

const timeRepeated = (operation: () => Promise<unknown>) => timed(size.repeats, operation);

async function batchedReads(db: BenchDatabase, url: string, pool: ConnectionPool): Promise<Row[]> {
  const ids = Array.from({ length: 100 }, (_, i) => idAt(i));
  const query = `{ ${ids.map((id, i) => `d${i}: document(db: "${DB}", table: "${TABLE}", id: "${id}")`).join(' ')} }`;
  // Round trips are counted in an in-process gateway on the same database (the pool counts queries).
  const { target } = parseRethinkdbUrl(db.url);
  const app = await startApp(defaultConfig({ port: 0, database: target }), createLogger('silent'));
  await app.whenPrepared();
  await app.server.yoga.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const before = app.data.pool.queryCount;
  await app.server.yoga.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const roundTrips = app.data.pool.queryCount - before;
  await app.close();

  // The gateway and the one-round-trip raw reads in turn (timedInTurn), so drift hits each alike.
  const [gateway, floor, getAll, mapGet] = await timedInTurn(size.repeats, [
    () => gql(url, query),
    () => gql(url, '{ __typename }'),
    () => pool.run(r.db(DB).table(TABLE).getAll(...ids)),
    () => pool.run(r.expr(ids).map((id) => r.db(DB).table(TABLE).get(id))),
  ]);
  if (!gateway || !floor || !getAll || !mapGet) throw new Error('timedInTurn returned fewer figures than operations');
  const sequential = await timeRepeated(async () => {
    for (const id of ids) await pool.run(r.db(DB).table(TABLE).get(id));
  });
  const sends = db.real ? 'getAll' : 'expr(ids).map(get)';
  const best = Math.min(getAll.p50, mapGet.p50);
  const row = (client: string, trips: number, times: { p50: number; p99: number }): Row => ({ client, 'round trips': trips, 'p50 ms': times.p50, 'p99 ms': times.p99, 'ratio to best raw (p50)': times.p50 / best });
  return [
    row(`gateway: 1 request, 100 document fields (the loader sends ${sends})`, roundTrips, gateway),
    row('gateway: { __typename } (the HTTP round trip alone)', 0, floor),
    row('raw: 100 sequential get', 100, sequential),
    row('raw: one getAll(100 ids)', 1, getAll),
    row('raw: one expr(ids).map(get)', 1, mapGet),
  ];
}

async function listQueries(db: BenchDatabase, url: string, pool: ConnectionPool): Promise<Row[]> {
  const query = `query($w: JSONObject) { query(db: "${DB}", table: "${TABLE}", where: $w, orderBy: [{ field: "score", direction: DESC }], limit: 50) }`;
  const where = { score: { gt: 500 }, 'team.name': 'red' };
  const table = r.db(DB).table(TABLE);
  const byFunction = (row: RDatum) => row('score').gt(500).and(row('team')('name').eq('red'));
  // RethinkDB's object filter, which its server runs natively: the fastest way to test equality.
  const byObject = { team: { name: 'red' } };
  // The raw driver's best plans on RethinkDB: the score index narrows and orders. It gives ties
  // by id DEScending, so their page is not the gateway's (ties by id ascending, as the primary key
  // ends every order): the gateway reads a few rows past the page and sorts ties itself. The one
  // query giving the same page sorts on the server. reqlite's between fails on an index, so there
  // the scans are the only plans.
  const indexed = () => table.between(500, r.maxval, { index: 'score', leftBound: 'open' });
  // `sorts`: the server sorts every matching row (tens of ms on RethinkDB); measured apart there,
  // since running them between the gateway's requests left RethinkDB busy (gateway p50 4.7 ms
  // against 2.3-2.7 measured with the index plans alone).
  const plans: { client: string; query: () => RDatum; real?: boolean; sorts?: boolean }[] = [
    { client: 'raw driver: filter(function) + orderBy(desc score, id) + limit (scan)', query: () => table.filter(byFunction).orderBy(r.desc('score'), r.asc('id')).limit(50) as unknown as RDatum, sorts: true },
    { client: 'raw driver: filter(object) + filter(function) + orderBy + limit (scan)', query: () => table.filter(byObject).filter((row: RDatum) => row('score').gt(500)).orderBy(r.desc('score'), r.asc('id')).limit(50) as unknown as RDatum, sorts: true },
    { client: 'raw driver: between(index) + filter(object) + orderBy(desc score, id) + limit', query: () => indexed().filter(byObject).orderBy(r.desc('score'), r.asc('id')).limit(50) as unknown as RDatum, real: true, sorts: true },
    { client: 'raw driver: between + orderBy({index: desc score}) + filter(function) + limit', query: () => indexed().orderBy({ index: r.desc('score') }).filter((row: RDatum) => row('team')('name').eq('red')).limit(50) as unknown as RDatum, real: true },
    { client: 'raw driver: between + orderBy({index: desc score}) + filter(object) + limit', query: () => indexed().orderBy({ index: r.desc('score') }).filter(byObject).limit(50) as unknown as RDatum, real: true },
  ];
  const ids = (rows: unknown) => JSON.stringify((rows as { id: string }[]).map((row) => row.id));
  const page = ids((await gql(url, query, { w: where })).query);
  const candidates = plans.filter((candidate) => db.real || !candidate.real);
  const samePages = await Promise.all(candidates.map(async (plan) => ids(await pool.run(plan.query())) === page));
  // The gateway and the raw plans in turn (timedInTurn), so drift hits each alike; on RethinkDB
  // the sorting plans after them (on reqlite every plan, the gateway's too, is a scan and sorts).
  const apart = (plan: { sorts?: boolean }) => db.real && plan.sorts === true;
  const together = candidates.filter((plan) => !apart(plan));
  const [gateway, ...inTurn] = await timedInTurn(size.repeats, [() => gql(url, query, { w: where }), ...together.map((plan) => () => pool.run(plan.query()))]);
  if (!gateway) throw new Error('timedInTurn returned fewer figures than operations');
  const measured: { client: string; times: { p50: number; p99: number }; samePage: boolean }[] = [];
  for (const [i, plan] of candidates.entries()) {
    const times = apart(plan) ? await timeRepeated(() => pool.run(plan.query())) : inTurn[together.indexOf(plan)];
    if (times) measured.push({ client: plan.client, times, samePage: samePages[i] === true });
  }
  const best = Math.min(...measured.map(({ times }) => times.p50));
  const bestSame = Math.min(...measured.filter(({ samePage }) => samePage).map(({ times }) => times.p50));
  const row = (client: string, times: { p50: number; p99: number }, samePage: boolean): Row => ({
    client,
    'same page': samePage ? 'yes' : 'no',
    'p50 ms': times.p50,
    'p99 ms': times.p99,
    'ratio to raw best (p50)': times.p50 / best,
    'ratio to same-page raw best': times.p50 / bestSame,
  });
  return [row(`gateway query: filter + orderBy + limit 50 over ${size.docs} docs`, gateway, true), ...measured.map(({ client, times, samePage }) => row(client, times, samePage))];
}

async function writes(url: string, pool: ConnectionPool): Promise<Row[]> {
  let n = 0;
  const doc = () => ({ name: `w${n++}`, score: n % 1000 });
  const batch = () => Array.from({ length: 100 }, doc);
  const mutation = `mutation($d: [JSONObject!]!) { insert(db: "${DB}", table: "${TABLE}", documents: $d) { inserted } }`;
  // Gateway and raw in turn: each insert grows the table the other writes to.
  const [gwOne, rawOne] = await timedInTurn(size.repeats, [() => gql(url, mutation, { d: [doc()] }), () => pool.run(r.db(DB).table(TABLE).insert(doc()))]);
  const [gwBatch, rawBatch] = await timedInTurn(size.repeats, [() => gql(url, mutation, { d: batch() }), () => pool.run(r.db(DB).table(TABLE).insert(batch()))]);
  if (!gwOne || !rawOne || !gwBatch || !rawBatch) throw new Error('timedInTurn returned fewer figures than operations');
  return [
    { write: 'insert 1 doc', 'gateway p50 ms': gwOne.p50, 'raw p50 ms': rawOne.p50, 'ratio (p50)': gwOne.p50 / rawOne.p50 },
    { write: 'insert 100 docs', 'gateway p50 ms': gwBatch.p50, 'raw p50 ms': rawBatch.p50, 'ratio (p50)': gwBatch.p50 / rawBatch.p50 },
  ];
}

async function main(): Promise<void> {
  const db = await startDatabase();
  const started = new Date().toISOString();
  console.log(`# rethinkql benchmarks ${smoke ? '(SMOKE: tiny sizes, figures meaningless)' : ''}`);
  console.log(`${started} · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · database: ${db.label}`);
  console.log(`sizes: ${size.docs} documents, ${size.concurrency} concurrent clients, ${size.durationMs} ms per load run, ${size.repeats} repeats per latency figure`);
  await seed(db);
  const gateway = await startGatewayProcess(db);
  const pool = poolFor(db);
  await pool.whenReady();
  try {
    if (runs(1)) printTable('1. get-by-id throughput: gateway vs raw driver, same concurrency', await getById(db, gateway.url, pool));
    if (runs(2)) printTable('2. batched reads: 100 ids', await batchedReads(db, gateway.url, pool));
    if (runs(3)) printTable('3. list query', await listQueries(db, gateway.url, pool));
    if (runs(4)) printTable('4. writes', await writes(gateway.url, pool));
    if (runs(9)) printTable('9. tracing cost: get-by-id with OpenTelemetry off, on, and on but sampled out', await measureTracing(db, { url: gateway.url, bodies: getByIdBodies(), concurrency: size.concurrency, durationMs: size.durationMs }));
    if (runs(10)) {
      const rounds = { durationMs: size.durationMs * 2, concurrency: size.concurrency, rounds: smoke ? 1 : 4 };
      printTable('10. trusted documents: get-by-id over HTTP, off vs on (documentId) vs on with a bypass role', await measureTrustedDocuments(db, idAt, rounds));
      printTable('10b. the same without a database: in-process servers over a stub data layer, one request at a time', await measureTrustedLayer(smoke ? { rounds: 1, roundMs: 50 } : { rounds: 6, roundMs: 1000 }));
    }
    if (runs(11)) {
      const rows = smoke ? 2000 : Number(process.env.BENCH_KEYSET_ROWS ?? 100_000);
      const sizes = { rows, pageSize: 50, page: smoke ? 5 : 200, repeats: smoke ? 3 : db.real ? 30 : 10 };
      const keyset = await measureKeyset(db, gateway.url, DB, sizes);
      printTable(`11. keyset pages: a page by cursor vs by offset over ${rows} rows (seeded in ${(keyset.seedMs / 1000).toFixed(1)} s, batches of 10,000)`, keyset.rows);
    }
  } finally {
    await pool.close();
    await gateway.stop();
    await db.stop();
  }
  // Fan-out runs its own gateway and database (reqlite, or RETHINKDB_URL's). BENCH_SUBSCRIBERS=1,100,1000,10000 sets the counts.
  if (runs(5)) {
    console.log('\n### 5. subscription fan-out and memory per idle subscription');
    const counts = process.env.BENCH_SUBSCRIBERS?.split(',').map((count) => Number(count.trim()));
    const idle = Number(process.env.BENCH_IDLE_SUBSCRIPTIONS ?? 5000);
    const [queries, each] = (process.env.BENCH_FILTERED ?? (smoke ? '3x2' : '1000x10')).split('x').map(Number);
    const filtered = queries && each ? ([queries, each] as const) : null;
    const baseline = process.env.BENCH_FANOUT_BASELINE?.split(',').map(Number) ?? [];
    const sseCounts = process.env.BENCH_SSE_SUBSCRIBERS?.split(',').filter(Boolean).map(Number) ?? (smoke ? [2] : [1000]);
    await runFanout({
      counts: counts ?? (smoke ? [1, 3] : [1, 100, 1000, 10_000]),
      sseCounts,
      idleSubscriptions: smoke ? 20 : idle,
      filtered,
      baseline,
      maxPacedWrites: smoke ? 20 : Number.POSITIVE_INFINITY,
      steadinessSeconds: smoke ? 0.5 : 10,
    });
  }
  // No database: what parse, validate, limits, execute and serialisation cost per operation.
  if (runs(6)) printTable(
    '6. the GraphQL layer alone: in-process yoga.fetch over the real schema, stub data layer',
    await measureGraphqlLayer(smoke ? { rounds: 1, roundMs: 30 } : { rounds: 5, roundMs: 600 }),
  );
  if (runs(7)) {
    printTable(
      '7. one table feed, many queries: dispatching changes to channel queries (in process)',
      await measureDispatch(smoke ? { queryCounts: [10], events: 50 } : { queryCounts: [100, 1000, 10_000], events: 2000 }),
    );
  }
  // Its own database and gateway; BENCH_AGGREGATE_ROWS sets the table size (default 100000), BENCH_AGGREGATE_REPEATS the timings (10).
  if (runs(8)) {
    const rows = smoke ? 500 : Number(process.env.BENCH_AGGREGATE_ROWS ?? 100_000);
    const figures = await measureAggregates({ rows, repeats: smoke ? 2 : Number(process.env.BENCH_AGGREGATE_REPEATS ?? 10), changes: smoke ? 5 : 200 });
    printTable('8a. aggregate: gateway vs raw driver', figures.query);
    printTable('8b. liveAggregate: write to updated aggregate, and gateway CPU per change', figures.live);
  }
  // A cluster of its own from the server binary: ~40 s even at smoke sizes (three servers, two
  // gateway processes, a kill and a rejoin), so the smoke run leaves it out; the cluster tests
  // (test/cluster-*.test.ts) run the same machinery in the real-server lane. BENCH_SECTIONS=12
  // with --smoke runs it at tiny sizes.
  if (runs(12) && (!smoke || sections?.includes(12))) {
    const figures = await measureCluster(smoke ? { docs: 300, durationMs: 400, concurrency: 4, rounds: 1, subscribers: 5 } : { docs: 10_000, durationMs: 8_000, concurrency: 32, rounds: 3, subscribers: 50 });
    if (!figures) console.log('\n### 12. cluster: skipped (no RethinkDB server binary; set RETHINKDB_BIN)');
    else {
      printTable('12a. cluster: reads through a gateway given 1 host vs all 3 (3 shards x 3 replicas), same concurrency', figures.throughput);
      printTable('12b. cluster failover: SIGKILL the node with the primary and the feed, under subscribers', figures.failover);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
