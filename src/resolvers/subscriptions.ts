import type { Context } from '../context.js';
import type { OrderBy } from '../db/index.js';
import type { ChangeEvent, LiveResult, Payload } from '../subscriptions/events.js';
import { dbOf, type TableArgs } from './documents.js';

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

export function changes(ctx: Context, args: ChangesFieldArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  return ctx.subscriptions.changes({ ...args, db: dbOf(ctx, args.db) });
}

export function live(ctx: Context, args: LiveFieldArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  return ctx.subscriptions.live({ ...args, db: dbOf(ctx, args.db) });
}

/** A stream item as the field's value: an error item (overflow, table gone) becomes the GraphQL error of that event. */
export function eventOf<T>(payload: Payload<T>): T {
  if (payload instanceof Error) throw payload;
  return payload;
}
