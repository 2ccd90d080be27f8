import type { FeedHandlers, OpenFeed, RawChange } from '../db/index.js';
import { NotFound } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a table feed tells the queries that share it. */
export interface FeedListener {
  /** The database feed is open (first time or again): every change from now on is reported. */
  onFeedOpen(): void;
  /** The database feed was lost; it is being reopened with backoff. */
  onFeedDown(): void;
  onChange(change: RawChange): void;
  /** The feed cannot be restored (its table is gone): end the subscriptions with this error. */
  onFeedFailed(error: Error): void;
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
    if (this.feed) listener.onFeedOpen();
  }

  remove(listener: FeedListener): void {
    this.listeners.delete(listener);
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
      await this.pause(Math.min(this.options.maxBackoffMs, 100 * 2 ** Math.min(attempt, 10)) * (0.75 + Math.random() / 2));
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

  private dispatch(change: RawChange): void {
    this.notify((listener) => listener.onChange(change));
  }

  /** Ends every listener with `error` and closes the feed (e.g. its table was dropped). */
  fail(error: Error): void {
    this.notify((listener) => listener.onFeedFailed(error));
    void this.close();
  }

  /** Calls every listener; one listener's bug must not starve the others. */
  private notify(call: (listener: FeedListener) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.options.log.error({ err: error }, `a listener of the changefeed on ${this.options.name} failed`);
      }
    }
  }
}
