import { keyCandidates, openTableFeed, readSnapshot, type DataLayer, type OrderBy } from '../db/index.js';
import { documentComparator } from '../filter/order.js';
import { parseFieldPath } from '../filter/path.js';
import { parseWhere } from '../filter/parse.js';
import { NotFound, Unavailable } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import { ChangesQuery } from './changes-query.js';
import { changeCoalescing, liveCoalescing } from './coalescing.js';
import type { ChangeEvent, LiveChange, LiveResult, Payload } from './events.js';
import type { FeedQuery } from './feed-query.js';
import { LiveChangesQuery } from './live-changes-query.js';
import { LiveAggregateQuery, liveAggregateOf, latestAggregate, type LiveAggregateArgs, type LiveAggregateResult } from './live-aggregate.js';
import { LiveQuery } from './live-query.js';
import type { ReplayWindow } from './replay-log.js';
import { canonicalJson, checkLimit, checkThrottle, resumePosition, type ChangesOptions, type LiveOptions, type WindowOptions } from './arguments.js';
import type { ResumePosition } from './resume-token.js';
import { Subscriber, type SubscriberOptions } from './subscriber.js';
import type { HubHooks } from './hub-hooks.js';
import { TableFeed } from './table-feed.js';
import type { LiveSpec } from './window-query.js';

type AnyQuery = ChangesQuery | LiveQuery | LiveChangesQuery | LiveAggregateQuery;

export interface HubOptions extends HubHooks {
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
  /** Events each `changes` / `liveChanges` query keeps for resuming subscribers. @default 1000 */
  replayWindowEvents?: number;
  /** Oldest event kept for resuming subscribers, in milliseconds. @default 300000 */
  replayWindowMs?: number;
  /**
   * How long a `changes` / `liveChanges` query (with its feed and replay log) stays open after
   * its last subscriber left, so that a client that reconnects can resume. 0: close at once. @default 60000
   */
  resumeGraceMs?: number;
}

/** The table a subscription watches, as the hub needs it (the database resolved). */
interface WatchedTable {
  db: string;
  table: string;
}

/** Arguments of the `changes` subscription. */
export interface ChangesArgs extends WatchedTable, ChangesOptions<unknown> {}

/** Arguments of the `live` subscription. */
export interface LiveArgs extends WatchedTable, LiveOptions<unknown, OrderBy> {}

/** Arguments of the `liveChanges` subscription. */
export interface LiveChangesArgs extends WatchedTable, WindowOptions<unknown, OrderBy> {}

/** Counts for tests and metrics. */
export interface HubStats {
  /** Open database changefeeds (one per table with live queries). */
  feeds: number;
  /** Distinct live queries (each computes its events once), including those kept open for resumes. */
  queries: number;
  subscribers: number;
}

/**
 * The changefeed hub: every subscription goes through here. Identical subscriptions share one
 * query (its events are computed once, then fanned out to each subscriber's throttle and
 * bounded queue), and all queries on a table share ONE database feed (`table.changes()` on its
 * own connection). Feeds and queries close when their last subscriber leaves: at once for
 * `live`, after the resume grace period for `changes` and `liveChanges` (whose replay logs let
 * reconnecting clients resume).
 */
export class SubscriptionHub {
  private readonly feeds = new Map<string, TableFeed>();
  private readonly queries = new Map<string, AnyQuery>();
  /** Queries without subscribers kept open for resumes, and the timers that will close them. */
  private readonly lingering = new Map<AnyQuery, NodeJS.Timeout>();
  private readonly options: Required<Omit<HubOptions, 'data' | 'log' | keyof HubHooks>>;
  private readonly replayWindow: ReplayWindow;
  private closed = false;

  constructor(private readonly hub: HubOptions) {
    this.options = {
      queueSize: hub.queueSize ?? 1000,
      maxLimit: hub.maxLimit ?? 1000,
      maxBackoffMs: hub.maxBackoffMs ?? 5000,
      missingTableGraceMs: hub.missingTableGraceMs ?? 30_000,
      replayWindowEvents: hub.replayWindowEvents ?? 1000,
      replayWindowMs: hub.replayWindowMs ?? 300_000,
      resumeGraceMs: hub.resumeGraceMs ?? 60_000,
    };
    this.replayWindow = { events: this.options.replayWindowEvents, maxAgeMs: this.options.replayWindowMs };
  }

  /**
   * Subscribes to the changes of a table, one document (`id`) or the documents matching `where`.
   * Validates everything first (bad filter: BadInput; missing table: NotFound) and only then
   * returns the stream: READY (after INITIAL events with `includeInitial`), then ADD/CHANGE/REMOVE.
   * With `resumeFrom`: the events after that token and READY, or RESET, INITIAL events and READY
   * when the token is not in the query's replay window. A subscriber whose queue overflows gets a
   * SubscriberTooSlow error event and is ended.
   */
  async changes(args: ChangesArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
    const throttleMs = checkThrottle(args.throttle);
    const where = parseWhere(args.where);
    const resumeFrom = resumePosition(args.resumeFrom);
    const keys = args.id === undefined || args.id === null ? undefined : keyCandidates(args.id);
    const { primaryKey } = await this.tableInfo(args.db, args.table);
    const key = JSON.stringify(['changes', args.db, args.table, keys ?? null, canonicalJson(args.where ?? null)]);
    const query = this.queryFor(key, args.db, args.table, (feedKey) =>
      new ChangesQuery(key, feedKey, { primaryKey, where, keys, read: async () => readSnapshot(this.hub.data.pool, await this.hub.data.dialect.dialect(), args.db, args.table, { where, keys }) }, this.hub.log, this.replayWindow),
    );
    return this.join(query, { throttleMs, overflow: 'fail', coalescing: changeCoalescing, includeInitial: args.includeInitial ?? false }, resumeFrom);
  }

  /**
   * Subscribes to an ordered, limited query: the whole result first, then again every time it
   * changes. Validates first (limit 1..maxLimit, field paths, filter, table). A slow subscriber
   * skips to the newest result.
   */
  async live(args: LiveArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
    const throttleMs = checkThrottle(args.throttle);
    // Checked so a garbage token is an error, but not used: the first result is always whole.
    resumePosition(args.resumeFrom);
    const window = await this.windowSpec('live', args);
    const query = this.queryFor(window.key, args.db, args.table, (feedKey) => new LiveQuery(window.key, feedKey, window.spec, this.hub.log));
    return this.join(query, { throttleMs, overflow: 'keep-latest', coalescing: liveCoalescing });
  }

  /**
   * Subscribes to an ordered, limited query as deltas: its rows as INITIAL (with their index),
   * READY, then ADD / REMOVE / MOVE / CHANGE with positions. Validates like `live`; resumes
   * like `changes`. A subscriber whose queue overflows is ended with SUBSCRIBER_TOO_SLOW.
   */
  async liveChanges(args: LiveChangesArgs): Promise<AsyncIterableIterator<Payload<LiveChange>>> {
    const resumeFrom = resumePosition(args.resumeFrom);
    const window = await this.windowSpec('liveChanges', args);
    const query = this.queryFor(window.key, args.db, args.table, (feedKey) => new LiveChangesQuery(window.key, feedKey, window.spec, this.hub.log, this.replayWindow));
    return this.join(query, { throttleMs: 0, overflow: 'fail', coalescing: noCoalescing }, resumeFrom);
  }

  /** A grouped aggregate kept current from the table feed (live-aggregate.ts); whole results, like `live`. */
  async liveAggregate(args: LiveAggregateArgs): Promise<AsyncIterableIterator<Payload<LiveAggregateResult>>> {
    const { key, throttleMs, create } = liveAggregateOf(args, (await this.tableInfo(args.db, args.table)).primaryKey, this.hub);
    return this.join(this.queryFor(key, args.db, args.table, create), { throttleMs, overflow: 'keep-latest', coalescing: latestAggregate });
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
    for (const timer of this.lingering.values()) clearTimeout(timer);
    this.lingering.clear();
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

  /** Validates an ordered window's arguments (limit, field paths, filter, table) and builds its sharing key and spec. */
  private async windowSpec(kind: string, args: Omit<LiveArgs, 'throttle' | 'resumeFrom'>): Promise<{ key: string; spec: LiveSpec }> {
    const where = parseWhere(args.where);
    checkLimit(args.limit, this.options.maxLimit);
    const sortKeys = args.orderBy.map(({ field, direction }) => ({ path: parseFieldPath(field), descending: direction === 'DESC' }));
    const { primaryKey } = await this.tableInfo(args.db, args.table);
    const orderBy = args.orderBy.map(({ field, direction }) => ({ field, direction: direction ?? 'ASC' }));
    const { db, table, limit } = args;
    return {
      key: JSON.stringify([kind, db, table, canonicalJson(args.where ?? null), orderBy, limit]),
      spec: {
        primaryKey,
        where,
        limit,
        compare: documentComparator(sortKeys, primaryKey),
        read: () => this.hub.data.documents.list({ db, table, where: args.where, orderBy, limit }),
      },
    };
  }

  private async tableInfo(db: string, table: string) {
    if (this.closed) throw new Unavailable('the gateway is shutting down');
    return this.hub.data.catalog.table(db, table);
  }

  private queryFor<Q extends AnyQuery>(key: string, db: string, table: string, create: (feedKey: string) => Q): Q {
    if (this.closed) throw new Unavailable('the gateway is shutting down');
    const existing = this.queries.get(key);
    if (existing && !existing.isFailed) return existing as Q;
    if (existing) this.dropQuery(existing);
    const feedKey = JSON.stringify([db, table]);
    const query = create(feedKey);
    this.queries.set(key, query);
    let feed = this.feeds.get(feedKey);
    if (!feed || feed.isClosed) {
      feed = new TableFeed({
        name: `${db}.${table}`,
        open: (handlers) => openTableFeed(this.hub.data.pool, db, table, handlers),
        maxBackoffMs: this.options.maxBackoffMs,
        missingTableGraceMs: this.options.missingTableGraceMs,
        log: this.hub.log,
        onReopened: this.hub.onFeedReopened,
        onChange: this.hub.onFeedOpened?.(`${db}.${table}`),
      });
      this.feeds.set(feedKey, feed);
    }
    feed.add(query);
    return query;
  }

  /**
   * Attaches a new subscriber to a query, resuming from `resumeFrom` if given. Synchronous from
   * here on: the replayed events and the attachment happen in one step, so no event can fall
   * between them (see FeedQuery.join).
   */
  private join<E>(
    query: FeedQuery<unknown, E> & AnyQuery,
    options: Pick<SubscriberOptions<E>, 'throttleMs' | 'overflow' | 'coalescing' | 'includeInitial'>,
    resumeFrom?: ResumePosition,
  ): AsyncIterableIterator<Payload<E>> {
    clearTimeout(this.lingering.get(query));
    this.lingering.delete(query);
    const subscriber: Subscriber<E> = new Subscriber<E>({
      ...options,
      capacity: this.options.queueSize,
      onDelivered: this.hub.onDelivered,
      traceDelivery: this.hub.traceDelivery?.(),
      onClose: () => this.leave(query, () => query.leave(subscriber)),
    });
    const resumed = query.join(subscriber, resumeFrom);
    if (resumed) this.hub.onResume?.(resumed);
    return subscriber.stream;
  }

  /**
   * A subscriber left. When it was the last: a query that keeps a replay log stays open for the
   * resume grace period (a client that reconnects is usually the only subscriber, and it needs
   * the log); any other query closes now, and the feed with its last query.
   */
  private leave(query: AnyQuery, removeSubscriber: () => boolean): void {
    if (!removeSubscriber() || query.isClosed) return;
    const resumable = !(query instanceof LiveQuery || query instanceof LiveAggregateQuery) && this.options.replayWindowEvents > 0 && this.options.resumeGraceMs > 0;
    if (!resumable || query.isFailed || this.closed) return this.dropQuery(query);
    const timer = setTimeout(() => {
      this.lingering.delete(query);
      if (query.subscriberCount === 0) this.dropQuery(query);
    }, this.options.resumeGraceMs);
    timer.unref();
    this.lingering.set(query, timer);
  }

  private dropQuery(query: AnyQuery): void {
    clearTimeout(this.lingering.get(query));
    this.lingering.delete(query);
    if (query.isClosed) return;
    query.close();
    if (this.queries.get(query.key) === query) this.queries.delete(query.key);
    const feed = this.feeds.get(query.feedKey);
    if (!feed) return;
    feed.remove(query);
    if (feed.listenerCount === 0) {
      this.feeds.delete(query.feedKey);
      void feed.close();
    }
  }
}

/** `liveChanges` has no throttle; its Throttle (window 0) never merges. */
const noCoalescing = { keyOf: () => '', merge: (_earlier: LiveChange, later: LiveChange) => later };
