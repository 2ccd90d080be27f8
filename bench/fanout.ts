// Fan-out of one changefeed to many subscribers, through the real gateway (child process),
// real graphql-ws clients (one websocket per subscriber) and writes made straight to the database.
//
// For each subscriber count it reports:
// - delay: from just before a write is sent to the moment a client has the event (p50/p99),
//   with writes paced so the gateway is not saturated;
// - throughput: events delivered per second to all subscribers together during a burst;
// and once: memory per idle subscription (gateway heap after GC; RSS for reference).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import { r, type Connection } from 'rethinkdb-ts';
import { WebSocket } from 'ws';

interface Ready {
  type: 'ready';
  url: string;
  dbHost: string;
  dbPort: number;
  dbPassword: string;
}
interface Memory {
  heapUsed: number;
  rss: number;
}
export interface FanoutFigures {
  subscribers: number;
  delayP50Ms: number;
  delayP99Ms: number;
  eventsPerSecond: number;
  overflows: number;
}

const now = () => performance.timeOrigin + performance.now();
const QUERY = 'subscription { changes(table: "bench") { type new } }';

class Gateway {
  private constructor(private readonly child: ChildProcess, readonly ready: Ready) {}

  static async start(): Promise<Gateway> {
    const child = fork(fileURLToPath(new URL('./gateway-child.ts', import.meta.url)), {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [ready] = (await once(child, 'message')) as [Ready];
    return new Gateway(child, ready);
  }

  async ask<T>(question: 'memory' | 'stats'): Promise<T> {
    this.child.send(question);
    const [answer] = (await once(this.child, 'message')) as [T];
    return answer;
  }

  async stop(): Promise<void> {
    this.child.send('stop');
    await once(this.child, 'exit');
  }
}

/** N subscribers, each on its own websocket; `onEvent` sees every `changes` event. */
async function subscribeMany(url: string, count: number, onEvent: (event: { type: string; new: { t?: number } | null } | undefined, error: boolean) => void) {
  const clients: Client[] = [];
  const readies: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(client);
    readies.push(
      new Promise<void>((resolve, reject) => {
        client.subscribe<{ changes: { type: string; new: { t?: number } | null } }>(
          { query: QUERY },
          {
            next: (result) => {
              if (result.data?.changes.type === 'READY') return resolve();
              onEvent(result.data?.changes, Boolean(result.errors));
            },
            error: reject,
            complete: () => undefined,
          },
        );
      }),
    );
    // Do not open thousands of sockets in one tick.
    if (i % 200 === 199) await Promise.all(readies.slice(-200));
  }
  await Promise.all(readies);
  return { dispose: () => Promise.all(clients.map((client) => client.dispose())) };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(gateway: Gateway, db: Connection, subscribers: number): Promise<FanoutFigures> {
  const paced = 100;
  const burst = Math.max(20, Math.min(2000, Math.round(100_000 / subscribers)));
  const delays = new Float64Array(subscribers * paced);
  let delayCount = 0;
  let received = 0;
  let overflows = 0;
  let measuringDelay = true;
  let lastReceivedAt = 0;
  const table = r.db('test').table('bench');
  const clients = await subscribeMany(gateway.ready.url, subscribers, (event, error) => {
    if (error) return void overflows++;
    // Only this run's inserts count: the previous run's cleanup (REMOVE events) may still be in flight.
    if (event?.type !== 'ADD') return;
    received++;
    lastReceivedAt = now();
    if (measuringDelay && event?.new?.t !== undefined) delays[delayCount++] = lastReceivedAt - event.new.t;
  });
  const stats = await gateway.ask<{ feeds: number; queries: number; subscribers: number }>('stats');
  if (stats.feeds !== 1 || stats.queries !== 1 || stats.subscribers !== subscribers) throw new Error(`unexpected sharing: ${JSON.stringify(stats)}`);

  // Delay: writes paced so the gateway is not saturated (its fan-out capacity is ~25k events/s on
  // two shared cores): every 20 ms, and at high fan-out one per subscribers/15 ms (5000: 334 ms).
  const gap = Math.max(20, Math.ceil(subscribers / 15));
  for (let i = 0; i < paced; i++) {
    await table.insert({ t: now(), kind: 'paced' }).run(db);
    await new Promise((resolve) => setTimeout(resolve, gap));
  }
  const expectedPaced = subscribers * paced;
  while (received < expectedPaced && overflows === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  measuringDelay = false;

  // Throughput: `burst` inserts in batches of 10, as fast as the database takes them.
  received = 0;
  const started = now();
  for (let i = 0; i < burst; i += 10) {
    await table.insert(Array.from({ length: Math.min(10, burst - i) }, () => ({ kind: 'burst' }))).run(db);
  }
  const expectedBurst = subscribers * burst;
  const deadline = now() + 120_000;
  while (received < expectedBurst && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (lastReceivedAt - started) / 1000;

  await clients.dispose();
  await table.delete().run(db);
  const sorted = delays.slice(0, delayCount).sort();
  return {
    subscribers,
    delayP50Ms: percentile(sorted, 50),
    delayP99Ms: percentile(sorted, 99),
    eventsPerSecond: Math.round(received / seconds),
    overflows,
  };
}

/** Memory one idle subscription costs the gateway: on its own websocket, and as a second one on a shared socket. */
async function idleMemory(gateway: Gateway, count: number): Promise<{ perSocketSubscription: number; perExtraSubscription: number; rssPerSocketSubscription: number }> {
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await gateway.ask<Memory>('memory');
    return gateway.ask<Memory>('memory');
  };
  const base = await settle();
  const clients: Client[] = [];
  const subscribeAll = async () => {
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve, reject) => {
            client.subscribe({ query: QUERY }, { next: () => resolve(), error: reject, complete: () => undefined });
          }),
      ),
    );
  };
  for (let i = 0; i < count; i++) clients.push(createClient({ url: gateway.ready.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true }));
  await subscribeAll();
  const one = await settle();
  await subscribeAll();
  const two = await settle();
  await Promise.all(clients.map((client) => client.dispose()));
  return {
    perSocketSubscription: (one.heapUsed - base.heapUsed) / count,
    rssPerSocketSubscription: (one.rss - base.rss) / count,
    perExtraSubscription: (two.heapUsed - one.heapUsed) / count,
  };
}

/** Runs the fan-out benchmark and prints its figures. */
export async function runFanout(counts: readonly number[] = [1, 100, 1000, 5000], idleSubscriptions = 5000): Promise<void> {
  const gateway = await Gateway.start();
  const db = await r.connect({ server: { host: gateway.ready.dbHost, port: gateway.ready.dbPort, noDelay: true }, password: gateway.ready.dbPassword, silent: true });
  try {
    await r.db('test').tableCreate('bench').run(db);
    console.log('fan-out of one changefeed (graphql-ws, one socket per subscriber, writes straight to reqlite)');
    console.log('subscribers | delay p50 ms | delay p99 ms | events delivered/s | overflows');
    for (const count of counts) {
      const figures = await measure(gateway, db, count);
      console.log(
        `${String(figures.subscribers).padStart(11)} | ${figures.delayP50Ms.toFixed(2).padStart(12)} | ${figures.delayP99Ms.toFixed(2).padStart(12)} | ` +
          `${String(figures.eventsPerSecond).padStart(18)} | ${figures.overflows}`,
      );
    }
    const memory = await idleMemory(gateway, idleSubscriptions);
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(
      `memory per idle subscription (${idleSubscriptions}, gateway heap after GC): ${kib(memory.perSocketSubscription)} with its own websocket ` +
        `(RSS ${kib(memory.rssPerSocketSubscription)}), ${kib(memory.perExtraSubscription)} as a second subscription on a socket`,
    );
  } finally {
    await db.close();
    await gateway.stop();
  }
}
