import type { Context } from '../graphql/context.js';
import { noteResumeToken } from '../graphql/plugins/resume-tokens.js';
import { publishEvent, subscribeChannel } from '../services/channels.js';
import type { Payload } from '../subscriptions/events.js';
import type { ChannelEvent } from '../subscriptions/channels.js';

/** Publishes as the caller: its user id (else its role) is the event's publisher; Forbidden unless the channel rules let its role publish. */
export function publish(ctx: Context, args: { channel: string; data?: unknown }): Promise<ChannelEvent> {
  return publishEvent(ctx, ctx.identity, args.channel, args.data);
}

/** `after` defaults to SSE's Last-Event-ID: a browser EventSource reconnecting resumes by itself. */
export function channel(ctx: Context, args: { name: string; after?: string | null }): Promise<AsyncIterableIterator<Payload<ChannelEvent>>> {
  return subscribeChannel(ctx, ctx.identity, args.name, args.after ?? ctx.lastEventId);
}

/**
 * A channel stream item as the field's value (an error item becomes the event's GraphQL error).
 * The event's id is its resume handle: it goes to `extensions.resumeToken` and SSE's `id:`.
 */
export function channelEventOf(ctx: Context, payload: Payload<ChannelEvent>): ChannelEvent {
  if (payload instanceof Error) throw payload;
  noteResumeToken(ctx, payload.id);
  return payload;
}
