import * as resolve from '../resolvers/channels.js';
import type { ChannelEvent } from '../subscriptions/channels.js';
import type { Builder } from './builder.js';

const channelName = 'Channel name: 1 to 200 letters, digits and _ . : / @ - (e.g. "chat:lobby").';

/** Publish/subscribe channels: the ChannelEvent type, the publish mutation and the channel subscription. */
export function registerChannels(builder: Builder): void {
  const EventType = builder.objectRef<ChannelEvent>('ChannelEvent').implement({
    description:
      'An event published on a channel (a push message that is not a document). Named ChannelEvent, not Event, so that a table ' +
      'named events keeps its typed type Event.',
    fields: (t) => ({
      id: t.exposeID('id'),
      channel: t.exposeString('channel'),
      data: t.field({ type: 'JSON', nullable: true, resolve: (event) => event.data }),
      publishedAt: t.exposeString('publishedAt', { description: 'ISO-8601 time the event was stored.' }),
      publisher: t.exposeString('publisher', { nullable: true, description: 'Who published it; null when anonymous.' }),
    }),
  });

  builder.mutationField('publish', (t) =>
    t.field({
      type: EventType,
      description: 'Publishes an event: it is stored in the events table and every subscriber of the channel, on every gateway replica, receives it.',
      args: {
        channel: t.arg.string({ required: true, description: channelName }),
        data: t.arg({ type: 'JSON', required: true }),
      },
      resolve: (_root, args, ctx) => resolve.publish(ctx, args),
    }),
  );

  builder.subscriptionField('channel', (t) =>
    t.field({
      type: EventType,
      description:
        'The events published on a channel from now on — through publish, POST /events, or a row inserted into the events table by any program. ' +
        'With after (the id of the last event received), first the stored events after it, oldest first, none lost or repeated; ' +
        'BAD_USER_INPUT when that event is no longer stored (retention).',
      args: {
        name: t.arg.string({ required: true, description: channelName }),
        after: t.arg.id({
          description:
            'Resume: the id of the last event received (e.g. before a reconnect or a restart). Over SSE the Last-Event-ID header ' +
            'stands for it: every event is sent with its id as the SSE id, so a browser EventSource resumes by itself.',
        }),
      },
      subscribe: (_root, args, ctx) => resolve.channel(ctx, args),
      resolve: (payload, _args, ctx) => resolve.channelEventOf(ctx, payload),
    }),
  );
}
