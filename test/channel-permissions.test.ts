import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { subscribeSse, subscribeWs, WsClients, type Collector } from './support/subscriptions.js';

// Channel kinds and who may publish, with JWT callers (a direct channel needs a user id).
const CHANNELS = JSON.stringify({
  news: { kind: 'fanout', publishers: ['editor'] },
  'team:*': { kind: 'topic', members: ['player'], publishers: ['player', 'coach'] },
  'user/*': { kind: 'direct', publishers: ['service'] },
});

const CHANNEL = 'subscription($name: String!) { channel(name: $name) { channel data publisher } }';
const PUBLISH = 'mutation($channel: String!, $data: JSON!) { publish(channel: $channel, data: $data) { publisher } }';
type ChannelData = { channel: { channel: string; data: unknown; publisher: string | null } };

let gw: TestGateway;
const clients = new WsClients();
const credentials: Record<string, string> = {};
beforeAll(async () => {
  gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', CHANNELS }) });
  for (const [name, claims] of Object.entries({
    alice: { sub: 'alice', role: 'player' },
    bob: { sub: 'bob', role: 'player' },
    coach: { sub: 'carol', role: 'coach' },
    editor: { sub: 'ed', role: 'editor' },
    service: { role: 'service' },
    admin: { sub: 'root', role: 'admin' },
  })) {
    credentials[name] = await token(claims);
  }
});
afterEach(() => clients.closeAll());
afterAll(() => gw?.close());

const publishAs = (who: string, channel: string, data: unknown) => post<{ publish: { publisher: string } }>(gw, PUBLISH, { channel, data }, bearer(credentials[who] ?? ''));

function subscribeAs(who: string, name: string): Collector<ChannelData> {
  return subscribeWs<ChannelData>(clients.open(gw.app.url, { connectionParams: { token: credentials[who] } }), CHANNEL, { name });
}

/** Publishes as `publisher` until every subscriber heard it (a subscription is live only once its feed is open). */
async function untilListening(publisher: string, name: string, ...subscribers: Collector<ChannelData>[]): Promise<void> {
  await vi.waitFor(
    async () => {
      expect((await publishAs(publisher, name, 'ping')).body.errors).toBeUndefined();
      for (const subscriber of subscribers) expect(subscriber.data.length).toBeGreaterThan(0);
    },
    { timeout: 15_000, interval: 100 },
  );
  for (const subscriber of subscribers) subscriber.data.splice(0);
}

async function refusal(subscriber: Collector<ChannelData>): Promise<string> {
  await subscriber.ended;
  return JSON.stringify(subscriber.failure ?? subscriber.results);
}

describe('channel permissions', () => {
  it('fanout: every caller hears it; only publisher roles publish, and the event names the publisher', async () => {
    const alice = subscribeAs('alice', 'news');
    const coach = subscribeAs('coach', 'news');
    await untilListening('editor', 'news', alice, coach);
    const published = await publishAs('editor', 'news', 'extra!');
    expect(published.body.data?.publish.publisher).toBe('ed');
    const refused = await publishAs('alice', 'news', 'fake news');
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const subscriber of [alice, coach]) {
      await subscriber.until((data) => data.some((d) => d.channel.data === 'extra!'));
      expect(subscriber.data.map((d) => d.channel.data)).toEqual(['extra!']);
    }
  });

  it('topic: member roles subscribe, others are refused; a non-member publisher may still publish', async () => {
    const alice = subscribeAs('alice', 'team:red');
    await untilListening('alice', 'team:red', alice);
    expect(await refusal(subscribeAs('coach', 'team:red'))).toContain('may not subscribe to channel');
    expect((await publishAs('coach', 'team:red', 'practice at 6')).body.errors).toBeUndefined();
    await alice.until((data) => data.some((d) => d.channel.data === 'practice at 6'));
    expect(alice.data.at(-1)?.channel.publisher).toBe('carol');
  });

  it('direct: only the user the channel is named after subscribes; services publish to it', async () => {
    const alice = subscribeAs('alice', 'user/alice');
    await untilListening('service', 'user/alice', alice);
    expect(await refusal(subscribeAs('bob', 'user/alice'))).toContain('may not subscribe to channel');
    const sent = await publishAs('service', 'user/alice', { note: 'your turn' });
    expect(sent.body.data?.publish.publisher).toBe('service');
    expect((await publishAs('bob', 'user/alice', 'spoof')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await alice.until((data) => data.length === 1);
    expect(alice.data[0]?.channel).toEqual({ channel: 'user/alice', data: { note: 'your turn' }, publisher: 'service' });
  });

  it('a channel no rule names is the admin role\'s only', async () => {
    expect(await refusal(subscribeAs('alice', 'secret'))).toContain('may not subscribe to channel');
    expect((await publishAs('editor', 'secret', 1)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await publishAs('admin', 'secret', 1)).body.data?.publish.publisher).toBe('root');
  });

  it.each(['sse', 'ws'] as const)('over %s, a channel subscription ends when its token expires; later events are not delivered', async (transport) => {
    const short = await token({ sub: 'alice', role: 'player' }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const client = transport === 'ws' ? clients.open(gw.app.url, { connectionParams: { token: short } }) : undefined;
    const subscriber = client ? subscribeWs<ChannelData>(client, CHANNEL, { name: 'news' }) : subscribeSse<ChannelData>(gw.app.url, CHANNEL, { name: 'news' }, bearer(short));
    await untilListening('editor', 'news', subscriber);
    // Publishes until the stream has ended: without the expiry it never would (the wait fails).
    let sent = 0;
    await vi.waitFor(
      async () => {
        if (!subscriber.completed && subscriber.failure === undefined) {
          sent += 1;
          await publishAs('editor', 'news', `after ${sent}`);
        }
        expect(subscriber.completed || subscriber.failure !== undefined).toBe(true);
      },
      { timeout: 15_000, interval: 250 },
    );
    const expired = subscriber.results.some((result) => result.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED'));
    // On graphql-ws the socket's own expiry timer (close 4403) may end it first.
    expect(expired || (client?.closes.includes(4403) ?? false)).toBe(true);
    const delivered = subscriber.data.length;
    await publishAs('editor', 'news', 'too late');
    expect(subscriber.data.length).toBe(delivered);
    expect(subscriber.data.map((d) => d.channel.data)).not.toContain('too late');
  });

  it('POST /events authenticates and applies the same publisher rules', async () => {
    const send = (who: string | undefined, channel: string) =>
      fetch(`http://127.0.0.1:${gw.app.port}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(who ? bearer(credentials[who] ?? '') : {}) },
        body: JSON.stringify({ channel, data: 'x' }),
      });
    expect((await send(undefined, 'news')).status).toBe(401);
    const forbidden = await send('alice', 'news');
    expect(forbidden.status).toBe(403);
    expect(JSON.stringify(await forbidden.json())).toContain('may not publish on channel');
    const created = await send('editor', 'news');
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ channel: 'news', publisher: 'ed' });
  });
});
