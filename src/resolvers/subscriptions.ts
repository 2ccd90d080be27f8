import type { Context } from '../context.js';
import type { OrderBy } from '../db/index.js';
import { noteResumeToken } from '../resume-tokens-plugin.js';
import type { ChangeEvent, LiveChange, LiveResult, Payload } from '../subscriptions/events.js';
import { dbOf, type TableArgs } from './documents.js';

export interface ChangesFieldArgs extends TableArgs {
  id?: string | null;
  where?: Record<string, unknown> | null;
  includeInitial?: boolean | null;
  throttle?: number | null;
  resumeFrom?: string | null;
}

export interface LiveFieldArgs extends TableArgs {
  where?: Record<string, unknown> | null;
  orderBy: readonly OrderBy[];
  limit: number;
  throttle?: number | null;
  resumeFrom?: string | null;
}

export type LiveChangesFieldArgs = Omit<LiveFieldArgs, 'throttle'>;

/**
 * The SSE `Last-Event-ID` header (an EventSource reconnecting), else `resumeFrom`. The header
 * wins: an EventSource reconnects to its original URL, whose `resumeFrom` (if any) is older than
 * the last event it received.
 */
const resumeFromOf = (ctx: Context, args: { resumeFrom?: string | null }) => ctx.lastEventId ?? args.resumeFrom ?? null;

export function changes(ctx: Context, args: ChangesFieldArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  return ctx.subscriptions.changes({ ...args, db: dbOf(ctx, args.db), resumeFrom: resumeFromOf(ctx, args) });
}

export function live(ctx: Context, args: LiveFieldArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  return ctx.subscriptions.live({ ...args, db: dbOf(ctx, args.db), resumeFrom: resumeFromOf(ctx, args) });
}

export function liveChanges(ctx: Context, args: LiveChangesFieldArgs): Promise<AsyncIterableIterator<Payload<LiveChange>>> {
  return ctx.subscriptions.liveChanges({ ...args, db: dbOf(ctx, args.db), resumeFrom: resumeFromOf(ctx, args) });
}

/**
 * A stream item as the field's value: an error item (overflow, table gone) becomes the GraphQL
 * error of that event; an event's resume token is noted for the result's extensions and SSE id.
 */
export function eventOf<T extends { resumeToken: string | null }>(ctx: Context, payload: Payload<T>): T {
  if (payload instanceof Error) throw payload;
  noteResumeToken(ctx, payload.resumeToken);
  return payload;
}
