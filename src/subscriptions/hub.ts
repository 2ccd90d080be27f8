import {
  documentComparator,
  keyCandidates,
  openTableFeed,
  parseFieldPath,
  parseWhere,
  readSnapshot,
  type DataLayer,
  type Document,
  type OrderBy,
} from '../db/index.js';
import { BadInput, NotFound, Unavailable } from '../errors.js';
import type { Logger } from '../logger.js';
import { ChangesQuery } from './changes-query.js';
import { changeCoalescing, liveCoalescing } from './coalescing.js';
import type { ChangeEvent, LiveResult, Payload } from './events.js';
import type { FeedQuery } from './feed-query.js';
import { LiveQuery } from './live-query.js';
import { Subscriber, type SubscriberOptions } from './subscriber.js';
import { TableFeed } from './table-feed.js';

export interface HubOptions {
  data: DataLayer;
  log: Logger;
  /** Events one subscriber may have waiting before its overflow policy applies. @default 1000 */
  queueSize?: number;
  /** Largest `limit` of a live query. @default 1000 */
  maxLimit?: number;
  /** Longest pause between attempts to reopen a lost feed. @default 5000 */
  maxBackoffMs?: number;
  /** How long a feed whose table vanished after a reconnect waits for it to come back. @default 30000 */
  missingTableGraceMs?: number;
  /** Called when a lost feed is reopened (metrics). */
  onFeedReopened?: () => void;
  /** Called for every event handed to a subscriber's queue (metrics). */
  onDelivered?: (count: number) => void;
}

/** Arguments of the `changes` subscription. */
export interface ChangesArgs {
  db: string;
  table: string;
  /** Watch one document (by primary key). */
  id?: string | null;
  where?: unknown;
  /** @default false */
  includeInitial?: boolean | null;
  /** Milliseconds; at most one event per document per window. @default 0 */
  throttle?: number | null;
}

/** Arguments of the `live` subscription. */
export interface LiveArgs {
  db: string;
  table: string;
  where?: unknown;
  orderBy: readonly OrderBy[];
  limit: number;
  /** Milliseconds; at most one result per window. @default 0 */
  throttle?: number | null;
}

/** Counts for tests and metrics. */
export interface HubStats {
  /** Open database changefeeds (one per table with live queries). */
  feeds: number;
  /** Distinct live queries (each computes its events once). */
  queries: number;
  subscribers: number;
}

/** Longest throttle window a client may ask for. */
const MAX_THROTTLE_MS = 60_000;

/**
 * The changefeed hub: every subscription goes through here. Identical subscriptions share one
 * query (its events are computed once, then fanned out to each subscriber's throttle and
 * bounded queue), and all queries on a table share ONE database feed (`table.changes()` on its
 * own connection). Feeds and queries close as soon as their last subscriber leaves.
 */
export class SubscriptionHub {
  private readonly feeds = new Map<string, TableFeed>();
  private readonly queries = new Map<string, ChangesQuery | LiveQuery>();
  private readonly options: Required<Omit<HubOptions, 'data' | 'log' | 'onFeedReopened' | 'onDelivered'>>;
  private closed = false;

  constructor(private readonly hub: HubOptions) {
    this.options = {
      queueSize: hub.queueSize ?? 1000,
      maxLimit: hub.maxLimit ?? 1000,
      maxBackoffMs: hub.maxBackoffMs ?? 5000,
      missingTableGraceMs: hub.missingTableGraceMs ?? 30_000,
    };
  }

  /**
   * Subscribes to the changes of a table, one document (`id`) or the documents matching `where`.
   * Validates everything first (bad filter: BadInput; missing table: NotFound) and only then
   * returns the stream: READY (after INITIAL events with `includeInitial`), then ADD/CHANGE/REMOVE.
   * A subscriber whose queue overflows gets a SubscriberTooSlow error event and is ended.
   */
  async changes(args: ChangesArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
    const throttleMs = checkThrottle(args.throttle);
    const where = parseWhere(args.where);
    const keys = args.id === undefined || args.id === null ? undefined : keyCandidates(args.id);
    const { primaryKey } = await this.tableInfo(args.db, args.table);
    const key = JSON.stringify(['changes', args.db, args.table, keys ?? null, canonicalJson(args.where ?? null)]);
    const query = this.queryFor(key, args.db, args.table, (feedKey) =>
      new ChangesQuery(key, feedKey, { primaryKey, where, keys, read: () => readSnapshot(this.hub.data.pool, args.db, args.table, { where, keys }) }, this.hub.log),
    );
    return this.join(query, { throttleMs, overflow: 'fail', coalescing: changeCoalescing, includeInitial: args.includeInitial ?? false });
  }

  /**
   * Subscribes to an ordered, limited query: the whole result first, then again every time it
   * changes. Validates first (limit 1..maxLimit, field paths, filter, table). A slow subscriber
   * skips to the newest result.
   */
  async live(args: LiveArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
    const throttleMs = checkThrottle(args.throttle);
    const where = parseWhere(args.where);
    if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > this.options.maxLimit) {
      throw new BadInput(`limit must be an integer from 1 to ${this.options.maxLimit} (got ${args.limit})`, { limit: args.limit });
    }
    const sortKeys = args.orderBy.map(({ field, direction }) => ({ path: parseFieldPath(field), descending: direction === 'DESC' }));
    const { primaryKey } = await this.tableInfo(args.db, args.table);
    const orderBy = args.orderBy.map(({ field, direction }) => ({ field, direction: direction ?? 'ASC' }));
    const key = JSON.stringify(['live', args.db, args.table, canonicalJson(args.where ?? null), orderBy, args.limit]);
    const { db, table, limit } = args;
    const query = this.queryFor(key, db, table, (feedKey) =>
      new LiveQuery(key, feedKey, {
        primaryKey,
        where,
        limit,
        compare: documentComparator(sortKeys, primaryKey),
        read: () => this.hub.data.documents.list({ db, table, where: args.where, orderBy, limit }),
      }, this.hub.log),
    );
    return this.join(query, { throttleMs, overflow: 'keep-latest', coalescing: liveCoalescing });
  }

  /**
   * Ends the subscriptions on a table with NOT_FOUND: called when the gateway drops it, because
   * reqlite keeps a feed of a dropped table open and silent (RethinkDB ends it with an error).
   */
  tableDropped(db: string, table: string): void {
    this.feeds.get(JSON.stringify([db, table]))?.fail(new NotFound(`table "${table}" was dropped from database "${db}"`, { database: db, table }));
  }

  /** Open feeds, distinct queries and subscribers right now. */
  stats(): HubStats {
    let subscribers = 0;
    for (const query of this.queries.values()) subscribers += query.subscriberCount;
    const feeds = [...this.feeds.values()].filter((feed) => feed.isOpen).length;
    return { feeds, queries: this.queries.size, subscribers };
  }

  /**
   * Completes every subscription (clients see a normal end), waiting up to `graceMs` for
   * clients to take it, then closes every feed. New subscriptions are refused from now on.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    const completions = [...this.queries.values()].flatMap((query) => query.completeAll());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(completions), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    // Let the transports write their "complete" messages before the server closes sockets.
    await new Promise((resolve) => setImmediate(resolve));
    for (const query of this.queries.values()) query.close();
    this.queries.clear();
    await Promise.all([...this.feeds.values()].map((feed) => feed.close()));
    this.feeds.clear();
  }

  private async tableInfo(db: string, table: string) {
    if (this.closed) throw new Unavailable('the gateway is shutting down');
    return this.hub.data.catalog.table(db, table);
  }

  private queryFor<Q extends ChangesQuery | LiveQuery>(key: string, db: string, table: string, create: (feedKey: string) => Q): Q {
    if (this.closed) throw new Unavailable('the gateway is shutting down');
    const existing = this.queries.get(key);
    if (existing) return existing as Q;
    const feedKey = JSON.stringify([db, table]);
    const query = create(feedKey);
    this.queries.set(key, query);
    let feed = this.feeds.get(feedKey);
    if (!feed) {
      feed = new TableFeed({
        name: `${db}.${table}`,
        open: (handlers) => openTableFeed(this.hub.data.pool, db, table, handlers),
        maxBackoffMs: this.options.maxBackoffMs,
        missingTableGraceMs: this.options.missingTableGraceMs,
        log: this.hub.log,
        onReopened: this.hub.onFeedReopened,
      });
      this.feeds.set(feedKey, feed);
    }
    feed.add(query);
    return query;
  }

  private join<E>(
    query: FeedQuery<Document[], E>,
    options: Pick<SubscriberOptions<E>, 'throttleMs' | 'overflow' | 'coalescing' | 'includeInitial'>,
  ): AsyncIterableIterator<Payload<E>> {
    const subscriber: Subscriber<E> = new Subscriber<E>({
      ...options,
      capacity: this.options.queueSize,
      onDelivered: this.hub.onDelivered,
      onClose: () => this.leave(query, subscriber),
    });
    query.join(subscriber);
    return subscriber.stream;
  }

  /** A subscriber left: close its query when it was the last, and the feed when its last query went. */
  private leave<E>(query: FeedQuery<Document[], E>, subscriber: Subscriber<E>): void {
    if (query.leave(subscriber) && !query.isClosed) this.dropQuery(query.key);
  }

  private dropQuery(key: string): void {
    const query = this.queries.get(key);
    if (!query) return;
    query.close();
    this.queries.delete(key);
    const feed = this.feeds.get(query.feedKey);
    if (!feed) return;
    feed.remove(query);
    if (feed.listenerCount === 0) {
      this.feeds.delete(query.feedKey);
      void feed.close();
    }
  }
}

function checkThrottle(throttle: number | null | undefined): number {
  const ms = throttle ?? 0;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_THROTTLE_MS) {
    throw new BadInput(`throttle must be a number of milliseconds from 0 to ${MAX_THROTTLE_MS} (got ${ms})`, { throttle: ms });
  }
  return ms;
}

/** JSON with object keys sorted, so equal filters written in another key order share a query. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
