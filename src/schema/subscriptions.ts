import type { ChangeEvent, LiveResult } from '../subscriptions/events.js';
import * as resolve from '../resolvers/subscriptions.js';
import { tableArgs, type ArgBuilder } from './arguments.js';
import type { Builder } from './builder.js';
import { whereDescription } from './documents.js';
import type { SharedTypes } from './types.js';

/** The generic subscriptions: changes and live; returns the ChangeType enum the typed subscriptions reuse. */
export function registerSubscriptions(builder: Builder, { OrderByInput }: SharedTypes) {
  const ChangeType = builder.enumType('ChangeType', {
    description: 'The kind of a change event (see docs/subscriptions.md).',
    values: {
      INITIAL: { description: 'A document that matched when the subscription started (only with includeInitial).' },
      READY: { description: 'Sent once, after the INITIAL events (if any): from now on every change is reported.' },
      ADD: { description: 'A document now matches: inserted, or moved into the filter.' },
      CHANGE: { description: 'A matching document changed and still matches.' },
      REMOVE: { description: 'A document no longer matches: deleted, or moved out of the filter.' },
    } as const,
  });

  const ChangeEventType = builder.objectRef<ChangeEvent>('ChangeEvent').implement({
    description: 'One change of the watched documents.',
    fields: (t) => ({
      type: t.field({ type: ChangeType, resolve: (event) => event.type }),
      id: t.id({ nullable: true, description: 'The primary key of the document; null for READY.', resolve: (event) => event.id }),
      old: t.field({ type: 'JSONObject', nullable: true, description: 'The document as last sent; null for INITIAL, ADD and READY.', resolve: (event) => event.old }),
      new: t.field({ type: 'JSONObject', nullable: true, description: 'The document now; null for REMOVE and READY.', resolve: (event) => event.new }),
    }),
  });

  const LiveResultType = builder.objectRef<LiveResult>('LiveResult').implement({
    description: 'The whole current result of a live query.',
    fields: (t) => ({
      documents: t.field({ type: ['JSONObject'], description: 'Ordered, at most limit documents.', resolve: (result) => [...result.documents] }),
    }),
  });

  const throttleArg = (arg: ArgBuilder) =>
    arg.int({
      defaultValue: 0,
      description: 'Milliseconds (0 to 60000): coalesce bursts so at most one event per document (for live: one result) is sent per window.',
    });

  builder.subscriptionFields((t) => ({
    changes: t.field({
      type: ChangeEventType,
      description:
        'Changes of a table, one document (id) or the documents matching where, from the table\'s changefeed. ' +
        'Events: INITIAL* (with includeInitial), READY, then ADD / CHANGE / REMOVE. A client that falls too far behind ' +
        'gets a SUBSCRIBER_TOO_SLOW error and the subscription ends.',
      args: {
        ...tableArgs(t.arg),
        id: t.arg.id({ description: 'Watch only the document with this primary key.' }),
        where: t.arg({ type: 'JSONObject', description: whereDescription }),
        includeInitial: t.arg.boolean({ defaultValue: false, description: 'First send the matching documents as INITIAL events.' }),
        throttle: throttleArg(t.arg),
      },
      subscribe: (_root, args, ctx) => resolve.changes(ctx, args),
      resolve: (payload) => resolve.eventOf(payload),
    }),
    live: t.field({
      type: LiveResultType,
      description:
        'A live query: the ordered result (at most limit documents) first, then again whenever it changes ' +
        '(e.g. a top-10 leaderboard). A slow client skips to the newest result.',
      args: {
        ...tableArgs(t.arg),
        where: t.arg({ type: 'JSONObject', description: whereDescription }),
        orderBy: t.arg({ type: [OrderByInput], required: true, description: 'Sort keys; the primary key breaks ties.' }),
        limit: t.arg.int({ required: true, description: 'At most this many documents (1 to the configured maximum).' }),
        throttle: throttleArg(t.arg),
      },
      subscribe: (_root, args, ctx) => resolve.live(ctx, args),
      resolve: (payload) => resolve.eventOf(payload),
    }),
  }));
  return { ChangeType };
}
