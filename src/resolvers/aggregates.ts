import { guardStream } from '../auth/guarded-stream.js';
import type { AggregateResult } from '../db/index.js';
import type { Context } from '../graphql/context.js';
import { aggregateDocuments, checkAggregate, groupLimit } from '../services/aggregates.js';
import type { LiveAggregateResult } from '../subscriptions/live-aggregate.js';
import type { Payload } from '../subscriptions/events.js';
import { accessTo, dbOf, type TableArgs } from './documents.js';
import { resumeFromOf } from './subscriptions.js';

/** The `fields` argument of the generic aggregate fields: what to compute per group (count is always computed). */
export interface AggregateFieldsArgs {
  count?: boolean | null;
  sum?: readonly string[] | null;
  avg?: readonly string[] | null;
  min?: readonly string[] | null;
  max?: readonly string[] | null;
}

/** Arguments of the generic `aggregate` query (and, with throttle and resumeFrom, of `liveAggregate`). */
export interface AggregateArgs extends TableArgs {
  where?: Record<string, unknown> | null;
  groupBy?: readonly string[] | null;
  fields?: AggregateFieldsArgs | null;
  limit?: number | null;
}

/** Arguments of the generic `liveAggregate` subscription. */
export interface LiveAggregateFieldArgs extends AggregateArgs {
  throttle?: number | null;
  resumeFrom?: string | null;
}

const requestOf = (args: AggregateArgs) => ({ groupBy: args.groupBy, ...args.fields });

export function aggregate(ctx: Context, args: AggregateArgs): Promise<AggregateResult> {
  return aggregateDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, { where: args.where, limit: args.limit, ...requestOf(args) });
}

/** `liveAggregate`: the row rule is ANDed into `where` before the hub sees it, so callers with the same rule and request share one aggregate. */
export async function liveAggregate(ctx: Context, args: LiveAggregateFieldArgs): Promise<AsyncIterableIterator<Payload<LiveAggregateResult>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  const spec = checkAggregate(access, ctx.identity.role, db, args.table, args.where, requestOf(args));
  const maxGroups = groupLimit(args.limit, ctx.config.defaultLimit, ctx.config.maxLimit);
  const { table, throttle } = args;
  const stream = await ctx.subscriptions.liveAggregate({ db, table, where: access.restrict(args.where), spec, maxGroups, throttle, resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, (result) => result, ctx.identity.expiresAt);
}
