import { guardStream } from '../auth/guarded-stream.js';
import type { TableAccess } from '../auth/permissions.js';
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
//
// No copy per subscriber: an event goes on as the hub's own (frozen, shared) object when the role
// hides nothing, and otherwise as one stripped copy per event and set of hidden fields, so that
// subscribers with the same view still hold the same object and share its execution
// (src/graphql/shared-execution.ts).

/** Stripped copies of hub events, per event and set of hidden fields. */
const stripped = new WeakMap<object, Map<string, unknown>>();

/**
 * The shape of events for `access`: none when it hides nothing (events go on as they are), else
 * the one copy `strip` makes of each event for these hidden fields.
 */
function visibleTo<T extends object>(access: TableAccess, strip: (event: T) => T): ((event: T) => T) | undefined {
  if (access.hiddenFields.length === 0) return undefined;
  return (event) => strippedOnce(access.hiddenFields, event, strip);
}

function strippedOnce<T extends object>(hiddenFields: readonly string[], event: T, strip: (event: T) => T): T {
  const view = hiddenFields.join('\n');
  let copies = stripped.get(event);
  if (!copies) stripped.set(event, (copies = new Map()));
  let copy = copies.get(view) as T | undefined;
  if (!copy) copies.set(view, (copy = Object.freeze(strip(event))));
  return copy;
}

export async function changes(ctx: Context, args: ChangesFieldArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where);
  const stream = await ctx.subscriptions.changes({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, visibleTo<ChangeEvent>(access, (e) => ({ ...e, old: access.strip(e.old), new: access.strip(e.new) })), ctx.identity.expiresAt);
}

export async function live(ctx: Context, args: LiveFieldArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where, args.orderBy.map((order) => order.field));
  const stream = await ctx.subscriptions.live({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, visibleTo<LiveResult>(access, (r) => ({ ...r, documents: Object.freeze(r.documents.map((doc) => access.strip(doc))) })), ctx.identity.expiresAt);
}

export async function liveChanges(ctx: Context, args: LiveChangesFieldArgs): Promise<AsyncIterableIterator<Payload<LiveChange>>> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'subscribe');
  access.checkReads(args.where, args.orderBy.map((order) => order.field));
  const stream = await ctx.subscriptions.liveChanges({ ...args, db, where: access.restrict(args.where), resumeFrom: resumeFromOf(ctx, args) });
  return guardStream(stream, visibleTo<LiveChange>(access, (c) => ({ ...c, new: access.strip(c.new) })), ctx.identity.expiresAt);
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
