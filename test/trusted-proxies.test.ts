import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { securityFrom } from './support/auth.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// Issue 21, item 9: behind a proxy every client would share the proxy's per-address bucket.
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** Status of one query sent with `headers` (the test's own address is 127.0.0.1, the "proxy"). */
async function status(headers: Record<string, string>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gw?.app.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('rate limits per address behind a proxy', () => {
  it('count each client X-Forwarded-For or Forwarded names when the peer is a trusted proxy', async () => {
    gw = await startTestGateway({ security: securityFrom({ RATE_LIMIT_PER_IP: '2', TRUSTED_PROXIES: '10.9.9.9, 127.0.0.0/8' }) });
    // A client-supplied hop on the left is not trusted: the nearest untrusted hop is the client.
    const a = { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' };
    expect([await status(a), await status(a), await status(a)]).toEqual([200, 200, 429]);
    expect(await status({ 'x-forwarded-for': '203.0.113.2' })).toBe(200);
    expect(await status({ forwarded: 'for="[2001:db8::1]:4711";proto=https' })).toBe(200);
    expect(await status({ forwarded: 'for=203.0.113.1' })).toBe(429);
  });

  it('ignore forwarding headers from peers that are not trusted (the default: none)', async () => {
    gw = await startTestGateway({ security: securityFrom({ RATE_LIMIT_PER_IP: '2' }) });
    expect(await status({ 'x-forwarded-for': '203.0.113.1' })).toBe(200);
    expect(await status({ 'x-forwarded-for': '203.0.113.2' })).toBe(200);
    expect(await status({ 'x-forwarded-for': '203.0.113.3' })).toBe(429);
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or CIDR, naming it', () => {
    expect(() => loadConfig([], { TRUSTED_PROXIES: '10.0.0.0/8, proxy.local' })).toThrow(/TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR block/);
    expect(() => loadConfig([], { TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/"10.0.0.0\/33"/);
  });
});
