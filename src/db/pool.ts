import { EventEmitter } from 'node:events';
import { r, type Connection, type RunOptions } from 'rethinkdb-ts';
import { Unavailable } from '../errors/domain.js';
import { missingDriverInternals, type DriverFeature } from './driver-internals.js';
import { WriteCoalescer } from './write-coalescer.js';
import { backoffDelay } from '../util/backoff.js';
import { classifyReqlError } from './reql-errors.js';
import { answersWithin, feedOrder, Host, leastBusy, type HostStatus, type Slot } from './hosts.js';

export type { HostStatus } from './hosts.js';

/** Anything rethinkdb-ts can run on a connection (a query, a datum, a stream). */
export interface Runnable<T> {
  run(connection: Connection, options?: RunOptions): Promise<T>;
}

export interface PoolOptions {
  host: string;
  port: number;
  /**
   * Every server of a cluster (`host`/`port` ignored then): queries spread over those up, each
   * changefeed goes to the one up with the fewest, a lost one is reconnected in the background.
   * @default [{ host, port }]
   */
  hosts?: readonly { host: string; port: number }[];
  user: string;
  password: string;
  /** Connections kept open for queries, per host. @default 4 */
  size?: number;
  /**
   * How long a query waits for the first connection (at start: once connected and lost, queries
   * fail at once), and how long `read` keeps retrying a read the database cannot serve yet. @default 5000
   */
  acquireTimeoutMs?: number;
  /** Longest pause between reconnection attempts. @default 5000 */
  maxBackoffMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** Called after every query with its round-trip time (metrics). */
  onQuery?: (seconds: number, ok: boolean) => void;
  /** Send the queries of one event-loop turn in one socket write (db/write-coalescer.ts). @default true */
  coalesceWrites?: boolean;
  /** Called once per pool for each driver internal this driver version lacks (db/driver-internals.ts). */
  onDriverFallback?: (feature: DriverFeature) => void;
  /** Runs every query (its `send`) inside a trace span; absent — tracing off — queries are sent directly. */
  traceQuery?: QueryTracer;
  /** With several hosts, how often each gets a round trip and how long it may take (Host.heartbeat). @default { intervalMs: 1000, timeoutMs: 3000 } */
  heartbeat?: { intervalMs: number; timeoutMs: number };
  /** A host that was up lost its connections while other hosts are configured: its queries and feeds move (metrics). */
  onFailover?: (address: string) => void;
}

/** Runs `send` (one query's round trip) inside a span describing `query` (tracing). */
export type QueryTracer = <T>(query: Runnable<T>, send: () => Promise<T>) => Promise<T>;

/**
 * A fixed set of RethinkDB connections (`size` per host) that reconnect by themselves with backoff.
 *
 * Why not rethinkdb-ts's own pool: it is a process-wide singleton (`r.connectPool`), defaults to
 * one connection, leaves Nagle on (~88 ms per feed event next to writes) and does not restore
 * feeds. Here every socket has no-delay, queries go to the least busy connection, and
 * changefeeds get dedicated connections from `connect()` so they never queue behind queries.
 *
 * With several hosts (a cluster) the least busy connection is taken among every host up, ties
 * taken in turn so that reads spread; a host whose connections close (or that misses its
 * heartbeat) is given up until it answers again, and only a query in flight on it fails.
 *
 * Emits `ready` when the first connection opens and `down` when the last one closes.
 */
export class ConnectionPool extends EventEmitter {
  readonly address: string;
  /** Queries sent since start (tests prove batching by counting these). */
  queryCount = 0;
  private readonly hosts: Host[];
  private readonly slots: Slot[];
  private readonly options: Required<Omit<PoolOptions, 'traceQuery'>>;
  private readonly traceQuery?: QueryTracer;
  /** Where the next search for the least busy connection starts (several hosts only: spreads ties). */
  private nextSlot = 0;
  private heartbeat?: NodeJS.Timeout;
  private closed = false;
  /** Some connection has opened since start: from then on, none open means the database is down. */
  private connectedOnce = false;
  private readonly corker = new WriteCoalescer();

  constructor(options: PoolOptions) {
    super();
    const { traceQuery, ...rest } = options;
    this.traceQuery = traceQuery;
    const none = () => undefined;
    const defaults = { size: 4, acquireTimeoutMs: 5000, maxBackoffMs: 5000, log: none, onQuery: none, coalesceWrites: true, onDriverFallback: none, onFailover: none };
    this.options = { ...defaults, hosts: [{ host: options.host, port: options.port }], heartbeat: { intervalMs: 1000, timeoutMs: 3000 }, ...rest };
    this.hosts = this.options.hosts.map(({ host, port }) => new Host(host, port, this.options.size));
    this.address = this.hosts.map((host) => host.address).join(',');
    this.slots = this.hosts.flatMap((host) => host.slots);
    for (const slot of this.slots) void this.keepConnected(slot);
    if (this.hosts.length > 1) {
      const { intervalMs, timeoutMs } = this.options.heartbeat;
      this.heartbeat = setInterval(() => this.hosts.forEach((host) => void host.heartbeat(timeoutMs, this.options.log)), intervalMs);
      this.heartbeat.unref();
    }
  }

  /** Each host's state, connections, feeds and queries sent (for `/ready`). */
  hostStatus = (): HostStatus[] => this.hosts.map((host) => host.status());

  /** True while at least one connection is open. */
  get ready(): boolean {
    return this.slots.some((slot) => slot.connection?.open);
  }

  /** Resolves once a connection is open; rejects with Unavailable after `timeoutMs`. */
  whenReady(timeoutMs = this.options.acquireTimeoutMs): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new Unavailable('the database pool is closed'));
    return new Promise((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      // An infinite wait sets no timer (setTimeout would treat Infinity as 1 ms).
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.off('ready', onReady);
            reject(new Unavailable(`the database at ${this.address} is not reachable`, { retryable: true }));
          }, timeoutMs)
        : undefined;
      this.once('ready', onReady);
    });
  }

  /**
   * Runs a query that only reads, like `run`, but retries it (backoff from 100 ms) while it fails
   * with a retryable Unavailable error — a table just created or a primary replica being elected
   * on RethinkDB, a connection lost — until `acquireTimeoutMs` has passed since it was first
   * sent; then the last error is thrown. Never use it for a write: a write whose connection broke
   * may have been applied, and is not sent twice (`run` sends once).
   */
  async read<T>(query: Runnable<T>, options?: RunOptions): Promise<T> {
    const deadline = performance.now() + this.options.acquireTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(query, options);
      } catch (error) {
        const left = deadline - performance.now();
        // Retries are for a database that answers but cannot serve the table yet; one known to be
        // down fails fast (acquire), and waiting here would undo that.
        if (!(error instanceof Unavailable && error.details.retryable === true) || left <= 0 || this.closed || this.knownDown) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, backoffDelay(attempt - 1, 1000))));
      }
    }
  }

  /** Runs a query once on the least busy open connection; driver errors become domain errors (classifyReqlError). */
  run<T>(query: Runnable<T>, options?: RunOptions): Promise<T> {
    // Not async, so that with tracing off a query costs no extra promise.
    return this.traceQuery ? this.traceQuery(query, () => this.send(query, options)) : this.send(query, options);
  }

  private async send<T>(query: Runnable<T>, options?: RunOptions): Promise<T> {
    const slot = await this.acquire();
    this.queryCount++;
    slot.host.queries++;
    slot.inFlight++;
    const started = performance.now();
    let ok = false;
    try {
      if (this.options.coalesceWrites) this.corker.cork(slot.connection as Connection);
      const result = await query.run(slot.connection as Connection, options);
      ok = true;
      return result;
    } catch (error) {
      throw classifyReqlError(error);
    } finally {
      slot.inFlight--;
      this.options.onQuery((performance.now() - started) / 1000, ok);
    }
  }

  /**
   * Round trip to the database with a deadline: true when it answered in time. Needed because
   * a frozen server (e.g. SIGSTOP) leaves connections open and the driver's own ping never times out.
   */
  async ping(timeoutMs = 2000): Promise<boolean> {
    if (!this.ready) return false;
    return answersWithin(this.run(r.expr(1)), timeoutMs);
  }

  /**
   * Opens a dedicated connection (for a changefeed) on the host up with the fewest feeds, trying
   * the next host when one refuses. The caller closes it. Throws Unavailable when none connects.
   */
  async connect(): Promise<Connection> {
    let failure = '';
    for (const host of feedOrder(this.hosts)) {
      try {
        const connection = await this.open(host);
        host.feeds++;
        connection.once('close', () => host.feeds--);
        return connection;
      } catch (error) {
        failure = `cannot connect to the database at ${host.address}: ${(error as Error).message}`;
      }
    }
    throw new Unavailable(failure, { retryable: true });
  }

  /** Closes every connection; pending reconnects stop. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    await Promise.all(this.slots.map((slot) => slot.connection?.close().catch(() => undefined)));
  }

  /**
   * Connected once and now none open: the pool said `down` and is reconnecting. Before the first
   * connection (the gateway starting beside its database) it is not known down: waiting is right.
   */
  private get knownDown(): boolean {
    return this.connectedOnce && !this.ready;
  }

  /** Says once, on the first connection, which driver internals fall back to the public API. */
  private probeDriver(connection: Connection): void {
    for (const feature of missingDriverInternals(connection)) {
      this.options.log('warn', `rethinkdb-ts lacks the internal "${feature}" this gateway was tuned for; using its public API instead (slower)`);
      this.options.onDriverFallback(feature);
    }
  }

  private async acquire(): Promise<Slot> {
    let best = this.leastBusy();
    // A database known to be down fails a query at once rather than each waiting
    // acquireTimeoutMs for a reconnection that may take far longer.
    if (!best && this.knownDown && !this.closed) throw new Unavailable(`the database at ${this.address} is down; reconnecting`, { retryable: true });
    if (!best) {
      await this.whenReady();
      best = this.leastBusy();
    }
    if (!best) throw new Unavailable(`the database at ${this.address} is not reachable`, { retryable: true });
    return best;
  }

  private leastBusy(): Slot | undefined {
    // One host: always from the first connection, as before clusters. Several: ties in turn.
    return leastBusy(this.slots, this.hosts.length > 1 ? this.nextSlot++ : 0);
  }

  private open(host: Host): Promise<Connection> {
    const { user, password } = this.options;
    return r.connect({ server: { host: host.host, port: host.port, noDelay: true }, user, password, silent: true });
  }

  private async keepConnected(slot: Slot): Promise<void> {
    const { host } = slot;
    const several = this.hosts.length > 1;
    let attempt = 0;
    while (!this.closed) {
      try {
        let connection: Connection;
        try {
          connection = await this.open(host);
        } catch (error) {
          throw new Unavailable(`cannot connect to the database at ${host.address}: ${(error as Error).message}`, { retryable: true });
        }
        if (this.closed) {
          await connection.close();
          return;
        }
        attempt = 0;
        const wasReady = this.ready;
        const hostWasUp = host.up;
        slot.connection = connection;
        if (!this.connectedOnce) this.probeDriver(connection);
        this.connectedOnce = true;
        host.connectedOnce = true;
        if (several && !hostWasUp) this.options.log('info', `connected to the database host ${host.address}`);
        if (!wasReady) {
          this.options.log('info', `connected to the database at ${this.address}`);
          this.emit('ready');
        }
        await new Promise<void>((resolve) => connection.once('close', () => resolve()));
        slot.connection = undefined;
        if (several && !this.closed && !host.up) {
          this.options.log('warn', `lost the database host ${host.address}; its queries and feeds move to the other hosts; reconnecting`);
          this.options.onFailover(host.address);
        }
        if (!this.closed && !this.ready) {
          this.options.log('warn', `lost every connection to the database at ${this.address}; reconnecting`);
          this.emit('down');
        }
      } catch (error) {
        if (attempt === 0 || attempt % 10 === 0) {
          this.options.log('warn', `${(error as Error).message}; retrying`);
        }
      }
      attempt++;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, this.options.maxBackoffMs)).unref());
    }
  }
}
