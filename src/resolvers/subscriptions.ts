import { guardStream } from '../auth/guarded-stream.js';
import type { Context } from '../context.js';
import type { OrderBy } from '../db/index.js';
import type { ChangeEvent, LiveResult, Payload } from '../subscriptions/events.js';
import { accessTo, dbOf, type TableArgs } from './documents.js';

export interface ChangesFieldArgs extends TableArgs {
  id?: string | null;
  where?: Record<string, unknown> | null;
  includeInitial?: boolean | null;
  throttle?: number | null;
}

export interface LiveFieldArgs extends TableArgs {
  where?: Record<string, unknown> | null;
  orderBy: readonly OrderBy[];
  limit: number;
  throttle?: number | null;
}

/**
 * The role's row rule is ANDed into `where` before the hub sees it: a document that stops
 * matching the rule is a REMOVE for this subscriber, and callers with the same rule and filter
 * still share one query. Hidden fields are stripped from each event; the stream ends when the
 * credential expires.
 */
export async function changes(ctx: Context, args: ChangesFieldArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where);
  const stream = await ctx.subscriptions.changes({ ...args, db, where: access.restrict(args.where) });
  return guardStream(stream, (event) => ({ ...event, old: access.strip(event.old), new: access.strip(event.new) }), ctx.identity.expiresAt);
}

export async function live(ctx: Context, args: LiveFieldArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where, args.orderBy.map((order) => order.field));
  const stream = await ctx.subscriptions.live({ ...args, db, where: access.restrict(args.where) });
  return guardStream(stream, (result) => ({ documents: result.documents.map((doc) => access.strip(doc)) }), ctx.identity.expiresAt);
}

/** A stream item as the field's value: an error item (overflow, table gone, expiry) becomes the GraphQL error of that event. */
export function eventOf<T>(payload: Payload<T>): T {
  if (payload instanceof Error) throw payload;
  return payload;
}
