import { expect, vi } from 'vitest';
import type { TestGateway } from './gateway.js';
import type { Collector } from './subscriptions.js';

const PING = 'mutation($channel: String!) { publish(channel: $channel, data: "ping") { id } }';

/**
 * Pub/sub has no "subscribed" acknowledgement: an event published before the changefeed is open
 * is not delivered. So, as a client would, publish pings through `gw` until every subscriber
 * hears one, then forget the pings.
 */
export async function untilListening(gw: TestGateway, name: string, ...subscribers: Collector<{ channel: { data: unknown } }>[]): Promise<void> {
  await vi.waitFor(
    async () => {
      await gw.ok(PING, { channel: name });
      for (const subscriber of subscribers) expect(subscriber.data.length).toBeGreaterThan(0);
    },
    { timeout: 15_000, interval: 100 },
  );
  for (const subscriber of subscribers) {
    await vi.waitFor(() => expect(subscriber.data.at(-1)?.channel.data).toBe('ping'));
    subscriber.data.splice(0);
  }
}
