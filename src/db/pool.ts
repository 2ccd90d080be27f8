import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { r, type Connection, type RunOptions } from 'rethinkdb-ts';
import { Unavailable } from '../errors/domain.js';
import { missingDriverInternals, socketOf, type DriverFeature } from './driver-internals.js';
import { backoffDelay } from '../util/backoff.js';
import { classifyReqlError } from './reql-errors.js';

/** Anything rethinkdb-ts can run on a connection (a query, a datum, a stream). */
export interface Runnable<T> {
  run(connection: Connection, options?: RunOptions): Promise<T>;
}

export interface PoolOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Connections kept open for queries. @default 4 */
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
  /** Send the queries of one event-loop turn in one socket write (see `coalesceWrites`). @default true */
  coalesceWrites?: boolean;
  /** Called once per pool for each driver internal this driver version lacks (db/driver-internals.ts). */
  onDriverFallback?: (feature: DriverFeature) => void;
  /** Runs every query (its `send`) inside a trace span; absent — tracing off — queries are sent directly. */
  traceQuery?: QueryTracer;
}

/** Runs `send` (one query's round trip) inside a span describing `query` (tracing). */
export type QueryTracer = <T>(query: Runnable<T>, send: () => Promise<T>) => Promise<T>;

interface Slot {
  connection?: Connection;
  inFlight: number;
}

/**
 * A fixed set of RethinkDB connections that reconnect by themselves with backoff.
 *
 * Why not rethinkdb-ts's own pool: it is a process-wide singleton (`r.connectPool`), defaults to
 * one connection, leaves Nagle on (~88 ms per feed event next to writes) and does not restore
 * feeds. Here every socket has no-delay, queries go to the least busy connection, and
 * changefeeds get dedicated connections from `connect()` so they never queue behind queries.
 *
 * Emits `ready` when the first connection opens and `down` when the last one closes.
 */
export class ConnectionPool extends EventEmitter {
  readonly address: string;
  /** Queries sent since start (tests prove batching by counting these). */
  queryCount = 0;
  private readonly slots: Slot[];
  private readonly options: Required<Omit<PoolOptions, 'traceQuery'>>;
  private readonly traceQuery?: QueryTracer;
  private closed = false;
  /** Some connection has opened since start: from then on, none open means the database is down. */
  private connectedOnce = false;
  /** Sockets holding back their writes until this turn of the event loop ends (see `coalesceWrites`). */
  private readonly corked = new Set<Socket>();

  constructor(options: PoolOptions) {
    super();
    const { traceQuery, ...rest } = options;
    this.options = { size: 4, acquireTimeoutMs: 5000, maxBackoffMs: 5000, log: () => undefined, onQuery: () => undefined, coalesceWrites: true, onDriverFallback: () => undefined, ...rest };
    this.traceQuery = traceQuery;
    this.address = `${options.host}:${options.port}`;
    this.slots = Array.from({ length: this.options.size }, () => ({ inFlight: 0 }));
    for (const slot of this.slots) void this.keepConnected(slot);
  }

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
    slot.inFlight++;
    const started = performance.now();
    let ok = false;
    try {
      if (this.options.coalesceWrites) this.coalesceWrites(slot.connection as Connection);
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
   * The driver writes every query to its socket at once: a system call per query, a sixth of the
   * gateway's CPU under a get-by-id load. Corking the socket until the end of this turn of the
   * event loop (setImmediate runs right after the I/O callbacks of the turn) sends the queries
   * of all requests handled in the turn in one write, at no added latency beyond the turn.
   */
  private coalesceWrites(connection: Connection): void {
    const socket = socketOf(connection);
    if (!socket || this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) {
      setImmediate(() => {
        for (const corked of this.corked) corked.uncork();
        this.corked.clear();
      });
    }
  }

  /**
   * Round trip to the database with a deadline: true when it answered in time. Needed because
   * a frozen server (e.g. SIGSTOP) leaves connections open and the driver's own ping never times out.
   */
  async ping(timeoutMs = 2000): Promise<boolean> {
    if (!this.ready) return false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.run(r.expr(1)).then(() => true, () => false), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Opens a dedicated connection (for a changefeed). The caller closes it. */
  async connect(): Promise<Connection> {
    const { host, port, user, password } = this.options;
    try {
      return await r.connect({ server: { host, port, noDelay: true }, user, password, silent: true });
    } catch (error) {
      throw new Unavailable(`cannot connect to the database at ${this.address}: ${(error as Error).message}`, { retryable: true });
    }
  }

  /** Closes every connection; pending reconnects stop. */
  async close(): Promise<void> {
    this.closed = true;
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
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.connection?.open && (!best || slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  private async keepConnected(slot: Slot): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      try {
        const connection = await this.connect();
        if (this.closed) {
          await connection.close();
          return;
        }
        attempt = 0;
        const wasReady = this.ready;
        slot.connection = connection;
        if (!this.connectedOnce) this.probeDriver(connection);
        this.connectedOnce = true;
        if (!wasReady) {
          this.options.log('info', `connected to the database at ${this.address}`);
          this.emit('ready');
        }
        await new Promise<void>((resolve) => connection.once('close', () => resolve()));
        slot.connection = undefined;
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
