import type { ChangeEvent, LiveChange, LiveResult } from '../subscriptions/events.js';
import * as resolve from '../resolvers/subscriptions.js';
import { tableArgs, type ArgBuilder } from './arguments.js';
import type { Builder } from './builder.js';
import { whereDescription } from './documents.js';
import type { SharedTypes } from './types.js';

const resetDescription = 'The resumeFrom token could not be honoured (too old, another gateway instance, a restart, a lost database feed): forget your state; the current state follows as INITIAL events, then READY.';

const resumeTokenDescription =
  'Pass it as resumeFrom after a reconnect to get exactly the events after this one (SSE: it is the event id). ' +
  'Null for RESET and INITIAL: a snapshot cannot be resumed halfway, keep the last non-null token.';

/** The `throttle` argument of the throttled subscriptions (live, liveAggregate). */
export const throttleArg = (arg: ArgBuilder) =>
  arg.int({
    defaultValue: 0,
    description: 'Milliseconds (0 to 60000): coalesce bursts so at most one event per document (for live: one result) is sent per window.',
  });

/** The `resumeFrom` argument of every resumable subscription (the typed ones take it from these). */
export const resumeFromArg = (arg: ArgBuilder) =>
  arg.string({
    description:
      'The resumeToken of the last event received: get exactly the events after it, then READY; or, when it is too old or from ' +
      'another gateway instance, RESET and the current state. Over SSE the Last-Event-ID header does the same.',
  });

/** ChangeEvent and LiveResult, the results of changes and live (the typed subscriptions' are derived from them). */
function changeResultTypes(builder: Builder) {
  const ChangeType = builder.enumType('ChangeType', {
    description: 'The kind of a change event (see docs/subscriptions.md).',
    values: {
      RESET: { description: resetDescription },
      INITIAL: { description: 'A document that matched when the subscription started (with includeInitial, or after RESET).' },
      READY: { description: 'Sent once, after the INITIAL events (if any) or the events a resume replayed: from now on every change is reported.' },
      ADD: { description: 'A document now matches: inserted, or moved into the filter.' },
      CHANGE: { description: 'A matching document changed and still matches.' },
      REMOVE: { description: 'A document no longer matches: deleted, or moved out of the filter.' },
    } as const,
  });

  const ChangeEventType = builder.objectRef<ChangeEvent>('ChangeEvent').implement({
    description: 'One change of the watched documents.',
    fields: (t) => ({
      type: t.field({ type: ChangeType, resolve: (event) => event.type }),
      id: t.id({ nullable: true, description: 'The primary key of the document; null for READY and RESET.', resolve: (event) => event.id }),
      old: t.field({ type: 'JSONObject', nullable: true, description: 'The document as last sent; null for INITIAL, ADD, READY and RESET.', resolve: (event) => event.old }),
      new: t.field({ type: 'JSONObject', nullable: true, description: 'The document now; null for REMOVE, READY and RESET.', resolve: (event) => event.new }),
      resumeToken: t.string({ nullable: true, description: resumeTokenDescription, resolve: (event) => event.resumeToken }),
    }),
  });

  const LiveResultType = builder.objectRef<LiveResult>('LiveResult').implement({
    description: 'The whole current result of a live query.',
    fields: (t) => ({
      documents: t.field({ type: ['JSONObject'], description: 'Ordered, at most limit documents.', resolve: (result) => result.documents }),
      resumeToken: t.string({ description: 'Resuming a live subscription (resumeFrom, or SSE Last-Event-ID) sends the current result.', resolve: (result) => result.resumeToken }),
    }),
  });

  return { ChangeEventType, LiveResultType };
}

/** LiveChange, the result of liveChanges. */
function liveChangeType(builder: Builder) {
  const LiveChangeType = builder.enumType('LiveChangeType', {
    description: 'The kind of a liveChanges delta; apply them in order to an array (see docs/subscriptions.md).',
    values: {
      RESET: { description: `Empty the array. ${resetDescription}` },
      INITIAL: { description: 'A row of the window when the subscription started (or after RESET): insert new at index.' },
      READY: { description: 'Sent once, after the INITIAL rows or the deltas a resume replayed: from now on every change is reported.' },
      ADD: { description: 'A row entered the window: insert new at index.' },
      REMOVE: { description: 'A row left the window: delete the row at oldIndex.' },
      MOVE: { description: 'A row moved (and maybe changed): take the row at oldIndex out, insert new at index.' },
      CHANGE: { description: 'A row changed in place: replace the row at index with new.' },
    } as const,
  });

  return builder.objectRef<LiveChange>('LiveChange').implement({
    description: 'One positioned change of an ordered window, relative to the array the previous deltas left.',
    fields: (t) => ({
      type: t.field({ type: LiveChangeType, resolve: (change) => change.type }),
      id: t.id({ nullable: true, description: 'The primary key of the row; null for READY and RESET.', resolve: (change) => change.id }),
      index: t.int({ nullable: true, description: 'The row\'s index after this delta; null for REMOVE, READY and RESET.', resolve: (change) => change.index }),
      oldIndex: t.int({ nullable: true, description: 'The row\'s index before this delta (REMOVE, MOVE, CHANGE); else null.', resolve: (change) => change.oldIndex }),
      new: t.field({ type: 'JSONObject', nullable: true, description: 'The row now (INITIAL, ADD, MOVE, CHANGE); else null.', resolve: (change) => change.new }),
      resumeToken: t.string({ nullable: true, description: resumeTokenDescription, resolve: (change) => change.resumeToken }),
    }),
  });
}

/**
 * The generic subscriptions: changes, live and liveChanges. The typed subscriptions mirror them:
 * their arguments and their ChangeEvent and LiveResult types are derived from these.
 */
export function registerSubscriptions(builder: Builder, { OrderByInput }: SharedTypes): void {
  const { ChangeEventType, LiveResultType } = changeResultTypes(builder);
  const LiveChangeObject = liveChangeType(builder);

  /** The arguments that define an ordered window (`live` and `liveChanges` watch the same one). */
  const windowArgs = (arg: ArgBuilder) => ({
    ...tableArgs(arg),
    where: arg({ type: 'JSONObject', description: whereDescription }),
    orderBy: arg({ type: [OrderByInput], required: true, description: 'Sort keys; the primary key breaks ties.' }),
    limit: arg.int({ required: true, description: 'At most this many documents (1 to the configured maximum).' }),
  });

  builder.subscriptionFields((t) => ({
    changes: t.field({
      type: ChangeEventType,
      description:
        'Changes of a table, one document (id) or the documents matching where, from the table\'s changefeed. ' +
        'Events: INITIAL* (with includeInitial), READY, then ADD / CHANGE / REMOVE. A client that falls too far behind ' +
        'gets a SUBSCRIBER_TOO_SLOW error and the subscription ends. Reconnecting clients resume with resumeFrom.',
      args: {
        ...tableArgs(t.arg),
        id: t.arg.id({ description: 'Watch only the document with this primary key.' }),
        where: t.arg({ type: 'JSONObject', description: whereDescription }),
        includeInitial: t.arg.boolean({ defaultValue: false, description: 'First send the matching documents as INITIAL events.' }),
        throttle: throttleArg(t.arg),
        resumeFrom: resumeFromArg(t.arg),
      },
      subscribe: (_root, args, ctx) => resolve.changes(ctx, args),
      resolve: (payload, _args, ctx) => resolve.eventOf(ctx, payload),
    }),
    live: t.field({
      type: LiveResultType,
      description:
        'A live query: the ordered result (at most limit documents) first, then again whenever it changes ' +
        '(e.g. a top-10 leaderboard). A slow client skips to the newest result.',
      args: { ...windowArgs(t.arg), throttle: throttleArg(t.arg), resumeFrom: resumeFromArg(t.arg) },
      subscribe: (_root, args, ctx) => resolve.live(ctx, args),
      resolve: (payload, _args, ctx) => resolve.eventOf(ctx, payload),
    }),
    liveChanges: t.field({
      type: LiveChangeObject,
      description:
        'The ordered window of live, as deltas: its rows as INITIAL (with index), READY, then ADD / REMOVE / MOVE / CHANGE ' +
        'with positions, so a UI updates one row instead of the whole list. Applying them in order to an array always ' +
        'yields the live result. A client that falls too far behind gets SUBSCRIBER_TOO_SLOW (resume with its last token).',
      args: { ...windowArgs(t.arg), resumeFrom: resumeFromArg(t.arg) },
      subscribe: (_root, args, ctx) => resolve.liveChanges(ctx, args),
      resolve: (payload, _args, ctx) => resolve.eventOf(ctx, payload),
    }),
  }));
}
