import type { Accumulator, AggregateResult, AggregateSpec, DataLayer, Document, RawChange } from '../db/index.js';
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

/** Reads in a row that each saw a concurrent change to the aggregated rows before one is taken as it is (see synced). */
const MAX_AMBIGUOUS_READS = 20;

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
  const read = () => hub.data.aggregates.accumulators(db, table, args.where, spec, maxGroups);
  return { key, throttleMs, create: (feedKey: string) => new LiveAggregateQuery(key, feedKey, { primaryKey, where, spec, maxGroups, read }, hub.log) };
}

/** What a live aggregate computes and how it reads itself from the database. */
export interface LiveAggregateSpec {
  readonly primaryKey: string;
  readonly where?: WhereNode;
  readonly spec: AggregateSpec;
  readonly maxGroups: number;
  readonly read: () => Promise<Accumulator[]>;
}

/**
 * A grouped aggregate kept current from the shared table feed: each change updates count and
 * sums exactly (AggregateState); the database is read again only when the feed (re)opens or a
 * group's min / max row leaves. Every result is sent whole; a slow subscriber skips to the newest.
 *
 * A read is exact only if no change to the aggregated rows arrived while it ran (a table scan
 * may or may not have seen such a change, and adding it again would count it twice), so such a
 * read is repeated; after MAX_AMBIGUOUS_READS in a row the last is taken with the changes applied.
 */
export class LiveAggregateQuery extends FeedQuery<Accumulator[], LiveAggregateResult> {
  private readonly state: AggregateState;
  private current?: LiveAggregateResult;
  private ambiguousReads = 0;

  constructor(key: string, feedKey: string, private readonly live: LiveAggregateSpec, log: Logger) {
    super(key, feedKey, live.primaryKey, log);
    this.state = new AggregateState(live.spec);
  }

  protected read(): Promise<Accumulator[]> {
    return this.live.read().catch((error: unknown) => {
      // Too many groups is the caller's to fix: end the subscriptions rather than retry.
      if (error instanceof BadInput) this.onFeedFailed(error);
      throw error;
    });
  }

  protected synced(accumulators: Accumulator[], buffered: readonly RawChange[]): void {
    const concurrent = buffered.filter((change) => this.state.touches(...this.sides(change)));
    if (concurrent.length > 0 && ++this.ambiguousReads < MAX_AMBIGUOUS_READS) return this.sync();
    if (concurrent.length > 0) this.log.warn(`live aggregate ${this.key}: ${MAX_AMBIGUOUS_READS} reads in a row saw concurrent writes; using the last one`);
    this.ambiguousReads = 0;
    this.state.reset(accumulators);
    for (const change of concurrent) this.state.apply(...this.sides(change));
    this.settle();
  }

  protected apply(change: RawChange): void {
    const outcome = this.state.apply(...this.sides(change));
    if (outcome === 'reread') this.sync();
    else if (outcome === 'changed') this.settle();
  }

  protected welcome(subscriber: Subscriber<LiveAggregateResult>): void {
    if (this.current) subscriber.deliver(this.current);
  }

  protected caughtUp(): undefined {
    return undefined;
  }

  /** The old and new row as the aggregate sees them: undefined when absent or outside `where`. */
  private sides(change: RawChange): [Document | undefined, Document | undefined] {
    const inside = (doc: Document | null) => (doc && (!this.live.where || matchesWhere(this.live.where, doc)) ? doc : undefined);
    return [inside(change.old_val), inside(change.new_val)];
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
