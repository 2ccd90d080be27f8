import { guardStream } from '../auth/guarded-stream.js';
import type { Identity } from '../auth/identity.js';
import type { SecurityConfig } from '../auth/settings.js';
import type { Channels, ChannelEvent } from '../subscriptions/channels.js';
import type { Payload } from '../subscriptions/events.js';

/**
 * What the channel services use: the channels and who may publish or subscribe where (the
 * CHANNELS setting). A GraphQL `Context` has this shape.
 */
export interface ChannelDeps {
  readonly channels: Channels;
  readonly config: { readonly security: Pick<SecurityConfig, 'channels'> };
}

/**
 * Publishes `data` on `channel` as `identity`: its user id (else its role) is the event's
 * publisher. Forbidden unless the channel rules let its role publish there; BadInput for an
 * invalid name or no data. Every way to publish (the GraphQL mutation, POST /events) calls this.
 */
export function publishEvent(deps: ChannelDeps, identity: Identity, channel: string, data: unknown): Promise<ChannelEvent> {
  return deps.channels.publish(channel, data, identity, deps.config.security.channels);
}

/**
 * The events of `channel` as `identity` may receive them, from now on; with `after` (an event
 * id), the stored ones after it first. Forbidden unless the channel rules let it subscribe. At
 * the credential's expiry the stream ends with an UNAUTHENTICATED error, on every transport (a
 * graphql-ws socket is closed then too, but an SSE response has no socket guard).
 */
export async function subscribeChannel(deps: ChannelDeps, identity: Identity, channel: string, after: string | null | undefined): Promise<AsyncIterableIterator<Payload<ChannelEvent>>> {
  const stream = await deps.channels.subscribe(channel, after, identity, deps.config.security.channels);
  return guardStream(stream, (event) => event, identity.expiresAt);
}
