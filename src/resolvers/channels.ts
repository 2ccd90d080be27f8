import type { Context } from '../context.js';
import type { Payload } from '../subscriptions/events.js';
import type { ChannelEvent } from '../subscriptions/channels.js';

export function publish(ctx: Context, args: { channel: string; data?: unknown }): Promise<ChannelEvent> {
  // The publisher stays null (anonymous) until callers are authenticated.
  return ctx.channels.publish(args.channel, args.data, null);
}

export function channel(ctx: Context, args: { name: string; after?: string | null }): Promise<AsyncIterableIterator<Payload<ChannelEvent>>> {
  return ctx.channels.subscribe(args.name, args.after);
}
