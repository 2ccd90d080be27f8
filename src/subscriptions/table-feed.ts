import type { FeedHandlers, OpenFeed, RawChange } from '../db/index.js';
import { NotFound } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelay } from '../util/backoff.js';
import { bucketOf, isIndexedValue, type DispatchKey } from './dispatch-key.js';

/** What a table feed tells the queries that share it. */
export interface FeedListener {
  /** The database feed is open (first time or again): every change from now on is reported. */
  onFeedOpen(): void;
  /** The database feed was lost; it is being reopened with backoff. */
  onFeedDown(): void;
  onChange(change: RawChange): void;
  /** The feed cannot be restored (its table is gone): end the subscriptions with this error. */
  onFeedFailed(error: Error): void;
  /** Which changes can matter to it (see dispatch-key.ts); undefined: every change. */
  readonly dispatchKey?: DispatchKey;
}

export interface TableFeedOptions {
  /** "db.table", for logs. */
  name: string;
  open: (handlers: FeedHandlers) => Promise<OpenFeed>;
  /** Longest pause between reopening attempts. */
  maxBackoffMs: number;
  /** How long a table missing after a reconnect is waited for (a restarted database may recreate it). */
  missingTableGraceMs: number;
  log: Logger;
  /** Called each time a lost feed is reopened (metrics). */
  onReopened?: () => void;
  /** Called for every change the feed brings, before it is dispatched (metrics). */
  onChange?: () => void;
}

/**
 * ONE database changefeed on a whole table, shared by every live query on that table, with
 * reconnection: rethinkdb-ts feeds do not survive a lost connection, so this reopens the feed
 * with exponential backoff (100 ms doubling, capped, with jitter) and tells its listeners, who
 * resynchronise. A missing table fails the listeners at once on the first open, and after
 * `missingTableGraceMs` of retries once the feed has run.
 */
export class TableFeed {
  private readonly listeners = new Set<FeedListener>();
  /** Listeners that hear every change. */
  private readonly unkeyed = new Set<FeedListener>();
  /** Listeners with a dispatch key, by field, then by value bucket. */
  private readonly keyed = new Map<string, Map<string, Set<FeedListener>>>();
  private feed?: OpenFeed;
  private closed = false;
  private wake?: () => void;
  /** Ends the wait on the open feed (its own end is not reported once we close it). */
  private release?: () => void;

  constructor(private readonly options: TableFeedOptions) {
    void this.keepOpen();
  }

  /** True while the database feed is open. */
  get isOpen(): boolean {
    return this.feed !== undefined;
  }

  /** True once closed (by close() or a failure): it never reopens. */
  get isClosed(): boolean {
    return this.closed;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Adds a listener; it hears onFeedOpen at once when the feed is already open. */
  add(listener: FeedListener): void {
    this.listeners.add(listener);
    const key = listener.dispatchKey;
    if (!key) this.unkeyed.add(listener);
    else {
      const buckets = this.keyed.get(key.field) ?? new Map<string, Set<FeedListener>>();
      this.keyed.set(key.field, buckets);
      for (const value of key.values) {
        const bucket = buckets.get(bucketOf(value)) ?? new Set<FeedListener>();
        buckets.set(bucketOf(value), bucket.add(listener));
      }
    }
    if (this.feed) listener.onFeedOpen();
  }

  remove(listener: FeedListener): void {
    this.listeners.delete(listener);
    this.unkeyed.delete(listener);
    const key = listener.dispatchKey;
    const buckets = key && this.keyed.get(key.field);
    if (!key || !buckets) return;
    for (const value of key.values) {
      const bucket = buckets.get(bucketOf(value));
      bucket?.delete(listener);
      if (bucket?.size === 0) buckets.delete(bucketOf(value));
    }
    if (buckets.size === 0) this.keyed.delete(key.field);
  }

  /** Closes the database feed and its connection; stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.release?.();
    const feed = this.feed;
    this.feed = undefined;
    await feed?.close();
  }

  private async keepOpen(): Promise<void> {
    const { name, log } = this.options;
    let attempt = 0;
    let opened = false;
    let missingSince: number | undefined;
    while (!this.closed) {
      let lost: (error: Error) => void = () => undefined;
      const ended = new Promise<Error>((resolve) => {
        lost = resolve;
      });
      this.release = () => lost(new Error('closed'));
      try {
        const feed = await this.options.open({ onChange: (change) => this.dispatch(change), onEnd: (error) => lost(error) });
        if (this.closed) {
          await feed.close();
          return;
        }
        this.feed = feed;
        if (opened) {
          log.info(`changefeed on ${name} reopened; resynchronising`);
          this.options.onReopened?.();
        }
        opened = true;
        attempt = 0;
        missingSince = undefined;
        this.notify((listener) => listener.onFeedOpen());
        const error = await ended;
        this.feed = undefined;
        if (this.closed) return;
        log.warn({ err: error }, `changefeed on ${name} lost; reopening`);
        this.notify((listener) => listener.onFeedDown());
      } catch (error) {
        if (this.closed) return;
        if (error instanceof NotFound) {
          missingSince ??= Date.now();
          if (!opened || Date.now() - missingSince >= this.options.missingTableGraceMs) return this.fail(error);
        }
        if (attempt % 10 === 0) log.warn({ err: error }, `cannot open the changefeed on ${name}; retrying`);
      }
      attempt++;
      await this.pause(backoffDelay(attempt, this.options.maxBackoffMs));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Hands a change to the listeners it can concern: every unkeyed one, and the keyed ones whose value the old or new document holds. */
  private dispatch(change: RawChange): void {
    this.options.onChange?.();
    const targets = new Set(this.unkeyed);
    for (const [field, buckets] of this.keyed) {
      for (const doc of [change.old_val, change.new_val]) {
        const value = doc?.[field];
        if (!isIndexedValue(value)) continue;
        for (const listener of buckets.get(bucketOf(value)) ?? []) targets.add(listener);
      }
    }
    this.notify((listener) => listener.onChange(change), targets);
  }

  /** Ends every listener with `error` and closes the feed (e.g. its table was dropped). */
  fail(error: Error): void {
    this.notify((listener) => listener.onFeedFailed(error));
    void this.close();
  }

  /** Calls every listener (or `targets`); one listener's bug must not starve the others. */
  private notify(call: (listener: FeedListener) => void, targets: Iterable<FeedListener> = [...this.listeners]): void {
    for (const listener of targets) {
      try {
        call(listener);
      } catch (error) {
        this.options.log.error({ err: error }, `a listener of the changefeed on ${this.options.name} failed`);
      }
    }
  }
}
