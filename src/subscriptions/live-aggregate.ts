import type { AggregateResult, AggregateSpec, Contribution, DataLayer, RawChange } from '../db/index.js';
import { BadInput } from '../errors/domain.js';
import type { WhereNode } from '../filter/ast.js';
import { matchesWhere } from '../filter/evaluate.js';
import { parseWhere } from '../filter/parse.js';
import type { Logger } from '../observability/logger.js';
import { AggregateState } from './aggregate-state.js';
import { canonicalJson, checkThrottle, resumePosition } from './arguments.js';
import { FeedQuery } from './feed-query.js';
import type { Subscriber } from './subscriber.js';
import type { Coalescing } from './throttle.js';

/** One `liveAggregate` result: the whole aggregate, like a `live` result. */
export interface LiveAggregateResult extends AggregateResult {
  /** Resuming (resumeFrom, or SSE Last-Event-ID) sends the current result. */
  readonly resumeToken: string;
}

/** Arguments of the `liveAggregate` subscription as the hub takes them (database resolved, request checked, row rule ANDed into `where`). */
export interface LiveAggregateArgs {
  db: string;
  table: string;
  where?: unknown;
  spec: AggregateSpec;
  /** Most groups: more fails the subscription with BAD_INPUT. */
  maxGroups: number;
  /** Milliseconds; at most one result per window. @default 0 */
  throttle?: number | null;
  /** Checked, not used: the first result is always whole. */
  resumeFrom?: string | null;
}

/** Only the newest aggregate counts. */
export const latestAggregate: Coalescing<LiveAggregateResult> = { keyOf: () => 'result', merge: (_earlier, later) => later };

/**
 * Validates a `liveAggregate` subscription (throttle, resume token, filter) and returns its
 * sharing key (equal keys: the same aggregate, one query), its throttle and how to create its query.
 */
export function liveAggregateOf(args: LiveAggregateArgs, primaryKey: string, hub: { data: DataLayer; log: Logger }) {
  const throttleMs = checkThrottle(args.throttle);
  resumePosition(args.resumeFrom);
  const where = parseWhere(args.where);
  const { db, table, spec, maxGroups } = args;
  const key = JSON.stringify(['liveAggregate', db, table, canonicalJson(args.where ?? null), spec, maxGroups]);
  const read = () => hub.data.aggregates.contributions(db, table, args.where, spec);
  return { key, throttleMs, create: (feedKey: string) => new LiveAggregateQuery(key, feedKey, { primaryKey, where, spec, maxGroups, read }, hub.log) };
}

/** What a live aggregate computes and how it reads its rows' contributions from the database. */
export interface LiveAggregateSpec {
  readonly primaryKey: string;
  readonly where?: WhereNode;
  readonly spec: AggregateSpec;
  readonly maxGroups: number;
  readonly read: () => Promise<Contribution[]>;
}

/**
 * A grouped aggregate kept current from the shared table feed (AggregateState): each change
 * replaces its row's contribution, so count and sums change exactly per change, and min / max
 * are recomputed from the group's kept rows only when the row holding one leaves. The database
 * is read when the feed (re)opens; changes that arrive during or after that read are applied on
 * top (idempotent, as for the ordered windows). Every result is sent whole; a slow subscriber
 * skips to the newest; a resumed one gets the current result.
 */
export class LiveAggregateQuery extends FeedQuery<Contribution[], LiveAggregateResult> {
  private readonly state: AggregateState;
  private current?: LiveAggregateResult;

  constructor(key: string, feedKey: string, private readonly live: LiveAggregateSpec, log: Logger) {
    super(key, feedKey, live.primaryKey, log);
    this.state = new AggregateState(live.spec);
  }

  protected read(): Promise<Contribution[]> {
    return this.live.read();
  }

  protected synced(contributions: Contribution[], buffered: readonly RawChange[]): void {
    this.state.reset(contributions);
    for (const change of buffered) this.change(change);
    this.settle();
  }

  protected apply(change: RawChange): void {
    if (this.change(change)) this.settle();
  }

  protected welcome(subscriber: Subscriber<LiveAggregateResult>): void {
    if (this.current) subscriber.deliver(this.current);
  }

  protected caughtUp(): undefined {
    return undefined;
  }

  /** Applies a change to the kept rows: its row now (undefined when deleted or outside `where`). */
  private change(change: RawChange): boolean {
    const doc = change.new_val ?? change.old_val;
    if (!doc) return false;
    const now = change.new_val && (!this.live.where || matchesWhere(this.live.where, change.new_val)) ? change.new_val : undefined;
    return this.state.apply(doc[this.live.primaryKey], now);
  }

  /** Sends the aggregate when it differs from what subscribers last got (the first time: welcomes them). */
  private settle(): void {
    if (this.state.size > this.live.maxGroups) {
      return this.onFeedFailed(new BadInput(`the live aggregate has more than ${this.live.maxGroups} groups; raise limit or group by fewer fields`, { max: this.live.maxGroups }));
    }
    const { groups } = this.state.result();
    if (this.current && canonicalJson(this.current.groups) === canonicalJson(groups)) return this.markLoaded();
    const make = (resumeToken: string) => Object.freeze({ groups, resumeToken });
    this.current = this.loaded ? this.broadcast(make) : this.record(make);
    this.markLoaded();
  }
}
