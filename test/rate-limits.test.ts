import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../src/auth/rate-limiter.js';
import { bearer, post, securityFrom } from './support/auth.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

const KEY = 'rate-key-0123456789abcdef';
const OTHER = 'other-key-0123456789abcdef';
const apiKeys = { AUTH_MODE: 'api-key', API_KEYS: `${KEY}:admin,${OTHER}:admin` };

let gw: TestGateway | undefined;
const clients = new WsClients();
afterEach(async () => {
  await clients.closeAll();
  await gw?.close();
  gw = undefined;
});

describe('RateLimiter', () => {
  it('allows limit requests per window and key, then says how many seconds to wait, and recovers when the window ends', () => {
    const limiter = new RateLimiter(2, 10_000);
    expect([limiter.take('a', 0), limiter.take('a', 1), limiter.take('a', 2)]).toEqual([0, 0, 10]);
    expect(limiter.take('b', 3)).toBe(0);
    expect(limiter.take('a', 9_500)).toBe(1);
    expect(limiter.take('a', 10_000)).toBe(0);
  });
});

describe('rate limits on the gateway', () => {
  it('answers a key over its limit with 429, Retry-After and RATE_LIMITED/retryAfter, leaves other keys alone, and recovers', async () => {
    gw = await startTestGateway({ security: securityFrom({ ...apiKeys, RATE_LIMIT_PER_KEY: '3', RATE_LIMIT_WINDOW_MS: '1000' }) });
    const ask = (key: string) => post(gw as TestGateway, '{ databases }', undefined, bearer(key));
    for (let i = 0; i < 3; i++) expect((await ask(KEY)).status).toBe(200);
    const limited = await ask(KEY);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect((await ask(OTHER)).status).toBe(200);
    await vi.waitFor(async () => expect((await ask(KEY)).status).toBe(200), { timeout: 5000, interval: 250 });
  });

  it('limits per address before authenticating, so guessing keys is limited too', async () => {
    gw = await startTestGateway({ security: securityFrom({ ...apiKeys, RATE_LIMIT_PER_IP: '2', RATE_LIMIT_WINDOW_MS: '60000' }) });
    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await post(gw, '{ databases }', undefined, bearer(`guess-${i}-0123456789abcdef`))).status);
    expect(guesses).toEqual([401, 401, 429]);
    expect((await post(gw, '{ databases }', undefined, bearer(KEY))).status).toBe(429);
  });

  it('counts graphql-ws connections and operations, and answers the one over the limit with a RATE_LIMITED error carrying retryAfter', async () => {
    gw = await startTestGateway({ security: securityFrom({ ...apiKeys, RATE_LIMIT_PER_KEY: '4', RATE_LIMIT_WINDOW_MS: '60000' }) });
    await post(gw, 'mutation { createTable(table: "limited") { name } }', undefined, bearer(KEY)); // 1
    const client = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } }); // 2: connection_init
    const held = subscribeWs<{ changes: { type: string } }>(client, 'subscription { changes(table: "limited") { type } }'); // 3
    await held.until((data) => data.length > 0, 'READY');
    const first = subscribeWs(client, '{ databases }'); // 4
    await first.ended;
    expect(first.data).toHaveLength(1);
    const second = subscribeWs(client, '{ databases }');
    await second.ended;
    const failure = second.failure as { extensions?: Record<string, unknown> }[] | undefined;
    expect(failure?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60 });
    // A new connection of the same key is refused at connection_init with 4429.
    const again = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } });
    await subscribeWs(again, '{ databases }').ended;
    expect(again.closes).toEqual([4429]);
  });
});

describe('connection and subscription caps', () => {
  it('refuses the subscription over the per-connection maximum with LIMIT_EXCEEDED; the others keep running', async () => {
    gw = await startTestGateway({ security: securityFrom({ ...apiKeys, MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' }) });
    await post(gw, 'mutation { createTable(table: "capped") { name } }', undefined, bearer(KEY));
    const client = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } });
    const subs = [0, 1].map(() => subscribeWs<{ changes: { type: string } }>(client, 'subscription { changes(table: "capped") { type } }'));
    await Promise.all(subs.map((sub) => sub.until((data) => data.length > 0, 'READY')));
    const third = subscribeWs(client, 'subscription { changes(table: "capped") { type } }');
    await third.ended;
    expect((third.failure as { extensions?: Record<string, unknown> }[])[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', max: 2 });
    expect(gw.app.subscriptions.stats().subscribers).toBe(2);
  });

  it('closes a connection over the per-key maximum with 4429, and admits it again once one closes', async () => {
    gw = await startTestGateway({ security: securityFrom({ ...apiKeys, MAX_CONNECTIONS_PER_KEY: '1' }) });
    await post(gw, 'mutation { createTable(table: "held") { name } }', undefined, bearer(KEY));
    const first = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } });
    const held = subscribeWs<{ changes: { type: string } }>(first, 'subscription { changes(table: "held") { type } }');
    await held.until((data) => data.length > 0, 'READY');
    const second = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } });
    const refused = subscribeWs(second, '{ databases }');
    await refused.ended;
    expect(second.closes).toEqual([4429]);
    const other = clients.open(gw.app.url, { connectionParams: { apiKey: OTHER } });
    const allowed = subscribeWs(other, '{ databases }');
    await allowed.ended;
    expect(allowed.data).toHaveLength(1);
    // The lazy client closes its connection when its last subscription ends.
    held.stop();
    const third = clients.open(gw.app.url, { connectionParams: { apiKey: KEY } });
    await vi.waitFor(async () => {
      const retry = subscribeWs(third, '{ databases }');
      await retry.ended;
      expect(retry.data).toHaveLength(1);
    });
  });
});
