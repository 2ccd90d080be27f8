import { guardStream } from '../auth/guarded-stream.js';
import type { Context } from '../graphql/context.js';
import type { OrderBy } from '../db/index.js';
import { noteResumeToken } from '../graphql/plugins/resume-tokens.js';
import type { ChangesOptions, LiveOptions, WindowOptions } from '../subscriptions/arguments.js';
import type { ChangeEvent, LiveChange, LiveResult, Payload } from '../subscriptions/events.js';
import { accessTo, dbOf, type TableArgs } from './documents.js';

/** Arguments of the generic `changes` field (a JSON filter). */
export interface ChangesFieldArgs extends TableArgs, ChangesOptions<Record<string, unknown>> {}

/** Arguments of the generic `live` field. */
export interface LiveFieldArgs extends TableArgs, LiveOptions<Record<string, unknown>, OrderBy> {}

/** Arguments of the generic `liveChanges` field. */
export interface LiveChangesFieldArgs extends TableArgs, WindowOptions<Record<string, unknown>, OrderBy> {}

/**
 * The SSE `Last-Event-ID` header (an EventSource reconnecting), else `resumeFrom`. The header
 * wins: an EventSource reconnects to its original URL, whose `resumeFrom` (if any) is older than
 * the last event it received.
 */
export const resumeFromOf = (ctx: Context, args: { resumeFrom?: string | null }) => ctx.lastEventId ?? args.resumeFrom ?? null;

// Every subscription: the role's row rule is ANDed into `where` before the hub sees it, so a
// document that stops matching the rule is a REMOVE for this subscriber, and callers with the
// same rule and filter still share one query (and one replay window: a token from another rule
// set names another query and RESETs). Hidden fields are stripped from each event; the stream
// ends when the credential expires.

export async function changes(ctx: Context, args: ChangesFieldArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where);
  const stream = await ctx.subscriptions.changes({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, (event) => ({ ...event, old: access.strip(event.old), new: access.strip(event.new) }), ctx.identity.expiresAt);
}

export async function live(ctx: Context, args: LiveFieldArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where, args.orderBy.map((order) => order.field));
  const stream = await ctx.subscriptions.live({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, (result) => ({ ...result, documents: result.documents.map((doc) => access.strip(doc)) }), ctx.identity.expiresAt);
}

export async function liveChanges(ctx: Context, args: LiveChangesFieldArgs): Promise<AsyncIterableIterator<Payload<LiveChange>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where, args.orderBy.map((order) => order.field));
  const stream = await ctx.subscriptions.liveChanges({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, (change) => ({ ...change, new: access.strip(change.new) }), ctx.identity.expiresAt);
}

/**
 * A stream item as the field's value: an error item (overflow, table gone, expiry) becomes the
 * GraphQL error of that event; an event's resume token is noted for the result's extensions and SSE id.
 */
export function eventOf<T extends { resumeToken: string | null }>(ctx: Context, payload: Payload<T>): T {
  if (payload instanceof Error) throw payload;
  noteResumeToken(ctx, payload.resumeToken);
  return payload;
}
