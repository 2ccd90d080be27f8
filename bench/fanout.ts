// Fan-out of one changefeed to many subscribers, through the real gateway (child process, on
// reqlite or RETHINKDB_URL), real graphql-transport-ws sockets (one per subscriber, in client
// processes of their own: bench/native/fanout-client.c when a C compiler is at hand, else
// bench/fanout-client-child.ts; see bench/native-clients.ts) and writes made straight to the
// database. Before the runs it prints how steady the machine's CPUs are (bench/steadiness.ts).
//
// It reports:
// - one `changes` subscription, N subscribers: write->client delay (p50/p99), writes paced so
//   the gateway is not saturated, beside the same writes' delay through a changefeed read
//   straight from the database (what the gateway adds to) and the spread of each write's frames
//   (first subscriber to last: the fan-out itself); events delivered per second during a burst;
//   p99(1000)/p99(1);
// - 1,000 distinct filtered subscriptions with 10 subscribers each on one table;
// - memory per idle subscription (gateway heap after GC; RSS for reference).
// BENCH_CPU_PROF=<dir> writes a CPU profile of the gateway (node --cpu-prof) there; BENCH_BURST_PROF=<dir>
// writes one of each burst alone (burst-<subscribers>.cpuprofile), without the connections and paced writes.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { r, type Connection } from 'rethinkdb-ts';
import type { ExecutionTuning } from '../src/http/server.js';
import { clock, openSubscriberProcesses, openSubscribers, type OnFrame, type Operation, type Transport } from './fanout-clients.js';
import { nativeClient, openNativeSubscriberProcesses } from './native-clients.js';
import { describeSteadiness, measureSteadiness } from './steadiness.js';
import { buildIfStale } from './support.js';

interface Ready {
  type: 'ready';
  url: string;
  dbHost: string;
  dbPort: number;
  dbUser: string;
  dbPassword: string;
  backend: string;
}
interface Memory {
  heapUsed: number;
  rss: number;
}
interface Stats {
  feeds: number;
  queries: number;
  subscribers: number;
}
export interface FanoutFigures {
  label: string;
  delayP50Ms: number;
  delayP99Ms: number;
  /** The same paced writes' delay through a changefeed of the bench's own, straight from the database: what the gateway adds to. */
  rawFeedP50Ms: number;
  rawFeedP99Ms: number;
  /** Median over the paced writes of the time from the first subscriber's frame to the last one's: the fan-out itself. */
  spreadP50Ms: number;
  /** Write->client delay of the burst's events (each batch of 10 timed from when its insert was sent). */
  burstDelayP50Ms: number;
  burstDelayP99Ms: number;
  eventsPerSecond: number;
  /** CPU time of the gateway process per event delivered during the burst, in µs (holds on a noisy machine). */
  cpuPerEventMicros: number;
  overflows: number;
}

const now = clock;
/** Untimed writes before the timed ones of each run. */
const WARM_UP_WRITES = 10;
/** Processes the subscribers' sockets are spread over (BENCH_CLIENT_PROCESSES, default 2). */
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
let compiledClient: ReturnType<typeof nativeClient> | undefined;
/** The websocket subscribers' program: in C when it can be compiled (bench/native-clients.ts), else Node's. */
const loadGenerator = () => (compiledClient ??= nativeClient());
const CHANGES: Operation = { query: 'subscription { changes(table: "bench") { type new } }' };
const FILTERED = 'subscription($w: JSONObject) { changes(table: "bench", where: $w) { type new } }';

class Gateway {
  private constructor(private readonly child: ChildProcess, readonly ready: Ready) {}

  static async start(tuning: ExecutionTuning = {}): Promise<Gateway> {
    const profile = process.env.BENCH_CPU_PROF;
    if (process.env.BENCH_GATEWAY_BUILD !== 'src') buildIfStale();
    const child = fork(fileURLToPath(new URL('./gateway-child.ts', import.meta.url)), {
      execArgv: ['--expose-gc', '--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // NODE_ENV=production as the Docker image runs it (see startGatewayProcess).
      env: { ...process.env, NODE_ENV: 'production', BENCH_TUNING: JSON.stringify(tuning) },
    });
    const [ready] = (await once(child, 'message')) as [Ready];
    return new Gateway(child, ready);
  }

  /** Sends `question` ('memory', 'stats', 'cpu', 'profile-start', 'profile-stop <file>'; see gateway-child.ts) and resolves with the answer. */
  async ask<T>(question: string): Promise<T> {
    this.child.send(question);
    const [answer] = (await once(this.child, 'message')) as [T];
    return answer;
  }

  async stop(): Promise<void> {
    this.child.send('stop');
    await once(this.child, 'exit');
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Subscribes `sockets` clients (operations from `operationsOf`), checks the sharing the hub
 * reports (`queries` distinct queries), then: `paced` single writes (`doc(i)`), one every `gap`
 * ms, timing each event; then a burst of `burst` writes in batches of 10, counting events/s.
 * `fanout` is how many events one write makes.
 */
async function measure(
  gateway: Gateway,
  db: Connection,
  run: { label: string; transport?: Transport; sockets: number; queries: number; fanout: number; operationsOf: (i: number) => Operation[]; doc: (i: number) => Record<string, unknown>; paced: number; gap: number; burst: number },
): Promise<FanoutFigures> {
  const delays = new Float64Array(run.fanout * run.paced);
  let delayCount = 0;
  let received = 0;
  let overflows = 0;
  let measuringDelay = true;
  const burstDelays = new Float64Array(run.fanout * run.burst);
  let burstCount = 0;
  let lastReceivedAt = 0;
  const table = r.db('test').table('bench');
  const operations = Array.from({ length: run.sockets }, (_, i) => run.operationsOf(i));
  /** Per timed paced write (by its `t`): when its first and last frames were read. */
  const spans = new Map<number, { first: number; last: number }>();
  const onFrame: OnFrame = (type, t, error, receivedAt) => {
    if (error) return void overflows++;
    // Only this run's inserts count: the previous run's cleanup (REMOVE events) may still be in flight.
    if (type !== 'ADD') return;
    received++;
    lastReceivedAt = Math.max(lastReceivedAt, receivedAt);
    if (measuringDelay && t !== undefined) {
      delays[delayCount++] = receivedAt - t;
      const span = spans.get(t);
      if (!span) spans.set(t, { first: receivedAt, last: receivedAt });
      else if (receivedAt < span.first) span.first = receivedAt;
      else if (receivedAt > span.last) span.last = receivedAt;
    } else if (!measuringDelay && t !== undefined && burstCount < burstDelays.length) burstDelays[burstCount++] = receivedAt - t;
  };
  const transport = run.transport ?? 'ws';
  const generator = loadGenerator();
  const clients =
    transport === 'ws' && 'binary' in generator
      ? await openNativeSubscriberProcesses(generator.binary, gateway.ready.url, operations, CLIENT_PROCESSES, onFrame)
      : await openSubscriberProcesses(gateway.ready.url, operations, CLIENT_PROCESSES, onFrame, transport);
  const stats = await gateway.ask<Stats>('stats');
  if (stats.feeds !== 1 || stats.queries !== run.queries || stats.subscribers !== run.sockets * run.operationsOf(0).length) throw new Error(`unexpected sharing: ${JSON.stringify(stats)}`);

  // Warm-up writes, not timed (no `t`): the first events through a fresh query, its sockets and
  // the clients ran 2-4x slower (JIT), and made the one-subscriber p99 of a cold run.
  const paced = async (count: number, timed: boolean) => {
    received = 0;
    for (let i = 0; i < count; i++) {
      await table.insert(timed ? { ...run.doc(i), t: now() } : { ...run.doc(i), kind: 'warm-up' }).run(db);
      await sleep(run.gap);
    }
    const deadline = now() + 60_000;
    while (received < run.fanout * count && overflows === 0 && now() < deadline) await sleep(20);
  };
  await paced(WARM_UP_WRITES, false);
  const rawFeed = await rawFeedDelays(db, run.paced);
  await paced(run.paced, true);
  measuringDelay = false;
  const rawSorted = await rawFeed.close();

  received = 0;
  const profileDir = process.env.BENCH_BURST_PROF;
  if (profileDir) await gateway.ask('profile-start');
  const cpuBefore = await gateway.ask<{ micros: number }>('cpu');
  const started = now();
  for (let i = 0; i < run.burst; i += 10) {
    await table.insert(Array.from({ length: Math.min(10, run.burst - i) }, (_, j) => ({ ...run.doc(i + j), kind: 'burst', t: now() }))).run(db);
  }
  const expectedBurst = run.fanout * run.burst;
  const deadline = now() + 120_000;
  while (received < expectedBurst && now() < deadline) await sleep(5);
  const seconds = (lastReceivedAt - started) / 1000;
  const cpuMicros = (await gateway.ask<{ micros: number }>('cpu')).micros - cpuBefore.micros;
  if (profileDir) await gateway.ask(`profile-stop ${profileDir}/burst-${run.label.replace(/\W+/g, '-')}.cpuprofile`);
  const burstReceived = received;

  await clients.close();
  await table.delete().run(db);
  await sleep(500);
  const sorted = delays.slice(0, delayCount).sort();
  const burstSorted = burstDelays.slice(0, burstCount).sort();
  const spreads = Float64Array.from(spans.values(), (span) => span.last - span.first).sort();
  return {
    label: run.label,
    delayP50Ms: percentile(sorted, 50),
    delayP99Ms: percentile(sorted, 99),
    rawFeedP50Ms: percentile(rawSorted, 50),
    rawFeedP99Ms: percentile(rawSorted, 99),
    spreadP50Ms: percentile(spreads, 50),
    burstDelayP50Ms: percentile(burstSorted, 50),
    burstDelayP99Ms: percentile(burstSorted, 99),
    eventsPerSecond: Math.round(burstReceived / seconds), cpuPerEventMicros: cpuMicros / burstReceived, overflows };
}

/**
 * A changefeed of the bench table read by this process, straight from the database, timing each
 * timed paced write (a `t`, no burst `kind`) until `close` (which resolves with the sorted delays).
 */
async function rawFeedDelays(db: Connection, writes: number): Promise<{ close(): Promise<Float64Array> }> {
  const delays = new Float64Array(writes);
  let count = 0;
  const feed = await r.db('test').table('bench').changes().run(db);
  const reading = (async () => {
    for (;;) {
      const change = (await feed.next()) as { new_val?: { t?: number; kind?: string } | null };
      const receivedAt = now();
      const t = change.new_val?.t;
      if (t !== undefined && change.new_val?.kind !== 'burst' && count < delays.length) delays[count++] = receivedAt - t;
    }
  })().catch(() => undefined);
  return {
    close: async () => {
      await feed.close();
      await reading;
      return delays.slice(0, count).sort();
    },
  };
}

/** How long the timed writes of a run last, about. */
const PACED_SPAN_MS = 30_000;

/**
 * How many timed writes, `gap` ms apart (plus ~5 ms for the insert), make a run last about
 * PACED_SPAN_MS: at every subscriber count, then, a p99 meets the machine's stalls (see
 * bench/steadiness.ts: here ~100 ms every ~2 s) as often. With a fixed 300 writes, one
 * subscriber's run lasted 7 s and its p99 was the third-slowest write: 7 or 15 ms by whether
 * three writes had met a stall, which made the ratio of p99s 2.3 or 5.4 in runs of the same code.
 */
const pacedWrites = (gap: number) => Math.max(30, Math.min(1500, Math.round(PACED_SPAN_MS / (gap + 5))));

/**
 * One `changes` subscription (no filter) with `subscribers` subscribers, one socket each up to
 * 10,000; beyond, two per socket (a process may not hold 20,000 sockets here: ulimit -n 20000).
 */
const oneSubscription = (subscribers: number) => {
  // Spaced so that one write's fan-out is done before the next (at 10,000: 500 ms).
  const gap = Math.max(20, Math.ceil(subscribers / 20));
  return {
    label: `${subscribers} x 1 query${subscribers > 10_000 ? ' (2/socket)' : ''}`,
    sockets: subscribers > 10_000 ? Math.ceil(subscribers / 2) : subscribers,
    queries: 1,
    fanout: subscribers > 10_000 ? 2 * Math.ceil(subscribers / 2) : subscribers,
    operationsOf: () => (subscribers > 10_000 ? [CHANGES, CHANGES] : [CHANGES]),
    doc: () => ({ kind: 'paced' }),
    paced: pacedWrites(gap),
    gap,
    burst: Math.max(20, Math.min(2000, Math.round(200_000 / subscribers))),
  };
};

/** One `changes` subscription with `subscribers` subscribers over GraphQL over SSE, a request (and connection) each. */
const sseSubscription = (subscribers: number) => ({ ...oneSubscription(subscribers), label: `${subscribers} x 1 query (SSE)`, transport: 'sse' as const });

/** `queries` distinct filtered subscriptions (`where: {k: {eq: i}}`) with `each` sockets each; every write matches one of them. */
const distinctFiltered = (queries: number, each: number) => ({
  label: `${queries} queries x ${each}`,
  sockets: queries * each,
  queries,
  fanout: each,
  operationsOf: (i: number) => [{ query: FILTERED, variables: { w: { k: { eq: i % queries } } } }],
  doc: (i: number) => ({ k: (i * 7919) % queries, kind: 'paced' }),
  paced: pacedWrites(20),
  gap: 20,
  burst: 2000,
});

/** Memory one idle subscription costs the gateway: on its own websocket, and as a second one on a socket. */
async function idleMemory(gateway: Gateway, count: number): Promise<{ perSocketSubscription: number; perExtraSubscription: number; rssPerSocketSubscription: number }> {
  const settle = async () => {
    await sleep(500);
    await gateway.ask<Memory>('memory');
    return gateway.ask<Memory>('memory');
  };
  const base = await settle();
  const one = await openSubscribers(gateway.ready.url, count, () => [CHANGES], () => undefined);
  const withOne = await settle();
  await one.close();
  await settle();
  const two = await openSubscribers(gateway.ready.url, count, () => [CHANGES, CHANGES], () => undefined);
  const withTwo = await settle();
  await two.close();
  return {
    perSocketSubscription: (withOne.heapUsed - base.heapUsed) / count,
    rssPerSocketSubscription: (withOne.rss - base.rss) / count,
    perExtraSubscription: (withTwo.heapUsed - withOne.heapUsed) / count,
  };
}

const row = (figures: FanoutFigures) =>
  `${figures.label.padStart(20)} | ${figures.delayP50Ms.toFixed(1).padStart(12)} | ${figures.delayP99Ms.toFixed(1).padStart(12)} | ${`${figures.rawFeedP50Ms.toFixed(1)} / ${figures.rawFeedP99Ms.toFixed(1)}`.padStart(19)} | ${figures.spreadP50Ms.toFixed(1).padStart(13)} | ${String(figures.eventsPerSecond).padStart(18)} | ${figures.cpuPerEventMicros.toFixed(2).padStart(17)} | ${figures.overflows.toString().padStart(9)} | ${`${figures.burstDelayP50Ms.toFixed(0)} / ${figures.burstDelayP99Ms.toFixed(0)}`.padStart(21)}`;

/** What runFanout runs; see there. */
export interface FanoutOptions {
  /** Subscriber counts of one `changes` subscription over graphql-ws. */
  counts: readonly number[];
  /** The same over GraphQL over SSE. */
  sseCounts: readonly number[];
  /** Idle subscriptions the memory figure holds (0: no memory figure). */
  idleSubscriptions: number;
  /** Distinct filtered subscriptions x subscribers each (null: none). */
  filtered: readonly [number, number] | null;
  /** Counts also run with shared execution off, in the same run, so the figures compare. */
  baseline: readonly number[];
  /** A cap on each run's timed writes (the smoke run's). */
  maxPacedWrites: number;
  /** How long the machine's steadiness is measured before the runs, in seconds (bench/steadiness.ts). */
  steadinessSeconds: number;
}

/** The fan-out runs and the idle-memory figure, on one gateway started with `tuning`. */
async function runVariant(name: string, tuning: ExecutionTuning, options: Omit<FanoutOptions, 'baseline'>): Promise<Map<number, number>> {
  const { counts, sseCounts, idleSubscriptions, filtered, maxPacedWrites } = options;
  const capped = <Run extends { paced: number }>(run: Run): Run => ({ ...run, paced: Math.min(run.paced, maxPacedWrites) });
  const gateway = await Gateway.start(tuning);
  const { dbHost, dbPort, dbUser, dbPassword, backend } = gateway.ready;
  const db = await r.connect({ server: { host: dbHost, port: dbPort, noDelay: true }, user: dbUser, password: dbPassword, silent: true });
  const p99 = new Map<number, number>();
  try {
    if (!(await r.dbList().run(db)).includes('test')) await r.dbCreate('test').run(db);
    if ((await r.db('test').tableList().run(db)).includes('bench')) await r.db('test').tableDrop('bench').run(db);
    await r.db('test').tableCreate('bench').run(db);
    console.log(`\n${name}: fan-out of one changefeed (graphql-ws, one socket per subscriber, writes straight to ${backend})`);
    console.log('         subscribers | delay p50 ms | delay p99 ms | raw feed p50/p99 ms | spread p50 ms | events delivered/s | gateway µs/event | overflows | burst delay p50/p99 ms');
    for (const count of counts) {
      const figures = await measure(gateway, db, capped(oneSubscription(count)));
      p99.set(count, figures.delayP99Ms);
      console.log(row(figures));
    }
    for (const count of sseCounts) console.log(row(await measure(gateway, db, capped(sseSubscription(count)))));
    if (filtered) console.log(row(await measure(gateway, db, capped(distinctFiltered(filtered[0], filtered[1])))));
    const one = p99.get(1);
    const thousand = p99.get(1000);
    if (one !== undefined && thousand !== undefined) console.log(`p99 at 1000 subscribers / p99 at 1: ${(thousand / one).toFixed(2)}`);
    if (idleSubscriptions > 0) {
      const memory = await idleMemory(gateway, idleSubscriptions);
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
      console.log(
        `memory per idle subscription (${idleSubscriptions}, gateway heap after GC): ${kib(memory.perSocketSubscription)} with its own websocket ` +
          `(RSS ${kib(memory.rssPerSocketSubscription)}), ${kib(memory.perExtraSubscription)} as a second subscription on a socket`,
      );
    }
  } finally {
    await r.db('test').tableDrop('bench').run(db).catch(() => undefined);
    await db.close();
    await gateway.stop();
  }
  return p99;
}

/**
 * Runs the fan-out benchmark and prints its figures: the served gateway, then (with `baseline`
 * counts) the same runs with shared execution off, in the same run so the figures compare.
 */
export async function runFanout(options: FanoutOptions): Promise<void> {
  console.log(`\n${describeSteadiness(measureSteadiness(options.steadinessSeconds))}`);
  const generator = loadGenerator();
  console.log(
    'binary' in generator
      ? 'websocket subscribers: bench/native/fanout-client.c (SSE subscribers: Node)'
      : `websocket subscribers: Node (bench/fanout-client-child.ts), not C: ${generator.reason}`,
  );
  const served = await runVariant('served', {}, options);
  const { baseline } = options;
  if (baseline.length === 0) return;
  const before = await runVariant('before: no shared execution', { sharedSubscriptions: false }, { ...options, counts: baseline, sseCounts: [], idleSubscriptions: 0, filtered: null });
  const ratios = baseline.filter((count) => served.has(count)).map((count) => `${count}: ${((before.get(count) ?? NaN) / (served.get(count) ?? NaN)).toFixed(2)}`);
  console.log(`p99 before / p99 served, by subscribers: ${ratios.join(', ')}`);
}
