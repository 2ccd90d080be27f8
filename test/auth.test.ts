import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { startTestGateway, testDb, uniqueTable, type TestGateway } from './support/gateway.js';
import { packet, SocketTracker } from './support/rdm.js';
import { subscribeSse, subscribeWs, WsClients } from './support/subscriptions.js';

const READER_KEY = 'reader-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const readerRules = JSON.stringify({ reader: { [`${testDb}.*`]: { read: true, subscribe: true } } });
const rowsQuery = (table: string) => `{ query(table: "${table}") }`;
const changes = (table: string) => `subscription { changes(table: "${table}") { type new } }`;

/** Resolves with the HTTP status a websocket upgrade was refused with, or 101 when it opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe('API keys', () => {
  let gw: TestGateway;
  let table: string;
  const clients = new WsClients();
  const sockets = new SocketTracker();

  beforeAll(async () => {
    gw = await startTestGateway({ wsPort: 0, security: securityFrom({ AUTH_MODE: 'api-key', API_KEYS: `${READER_KEY}:reader,${ADMIN_KEY}:admin`, PERMISSIONS: readerRules }) });
    table = uniqueTable('auth');
    await post(gw, `mutation { createTable(table: "${table}") { name } }`, undefined, bearer(ADMIN_KEY));
    await post(gw, `mutation { insert(table: "${table}", documents: [{ id: "a" }]) { inserted } }`, undefined, bearer(ADMIN_KEY));
  });
  afterEach(async () => {
    await clients.closeAll();
    sockets.closeAll();
  });
  afterAll(() => gw.close());

  it('answers HTTP without a key, or with an unknown one, with 401 UNAUTHENTICATED — the same for a table that does not exist', async () => {
    for (const headers of [{}, bearer('not-a-key-0123456789abcdef'), { 'x-api-key': 'wrong-key-0123456789abcdef' }]) {
      const existing = await post(gw, rowsQuery(table), undefined, headers);
      const missing = await post(gw, rowsQuery('no_such_table'), undefined, headers);
      expect(existing.status).toBe(401);
      expect(existing.headers.get('www-authenticate')).toBe('Bearer');
      expect(existing.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(missing.status).toBe(existing.status);
      expect(missing.body).toEqual(existing.body);
    }
  });

  it('accepts the key as Authorization: Bearer or X-Api-Key, with the role it maps to', async () => {
    expect((await post(gw, rowsQuery(table), undefined, bearer(READER_KEY))).body.data).toEqual({ query: [{ id: 'a' }] });
    expect((await post(gw, rowsQuery(table), undefined, { 'x-api-key': READER_KEY })).body.data).toEqual({ query: [{ id: 'a' }] });
    const write = await post(gw, `mutation { delete(table: "${table}", id: "a") }`, undefined, bearer(READER_KEY));
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('closes a graphql-ws connection with a bad key with 4403 before any subscription runs', async () => {
    const before = gw.app.subscriptions.stats().subscribers;
    const client = clients.open(gw.app.url, { connectionParams: { apiKey: 'wrong-key-0123456789abcdef' } });
    const sub = subscribeWs(client, changes(table));
    await sub.ended;
    expect(client.closes).toEqual([4403]);
    expect(sub.results).toEqual([]);
    expect(gw.app.subscriptions.stats().subscribers).toBe(before);
  });

  it('runs graphql-ws subscriptions for a good key sent in connection_init', async () => {
    const client = clients.open(gw.app.url, { connectionParams: { authorization: `Bearer ${READER_KEY}` } });
    const sub = subscribeWs<{ changes: { type: string } }>(client, changes(table));
    await sub.until((data) => data.some((event) => event.changes.type === 'READY'), 'READY');
  });

  it('refuses SSE without a key and streams with one', async () => {
    const refused = subscribeSse(gw.app.url, changes(table));
    await refused.ended;
    expect(String(refused.failure)).toContain('401');
    const sse = subscribeSse<{ changes: { type: string } }>(gw.app.url, changes(table), undefined, { 'x-api-key': READER_KEY });
    await sse.until((data) => data.some((event) => event.changes.type === 'READY'), 'READY');
    sse.stop();
  });

  it('authenticates RDM over HTTP (headers or ?token=), websockets and the legacy listener (headers or ?token=)', async () => {
    const body = JSON.stringify(packet({ table, identifier: 'a' }));
    const http = (query: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${gw.app.port}/rdm/get${query}`, { method: 'POST', body, headers });
    const refused = await http('');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await http('', { 'x-api-key': READER_KEY })).status).toBe(200);
    expect((await http(`?token=${READER_KEY}`)).status).toBe(200);

    for (const base of [`ws://127.0.0.1:${gw.app.port}/rdm`, `ws://127.0.0.1:${gw.app.legacyPort}`]) {
      expect(await upgradeStatus(`${base}/get`)).toBe(401);
      expect(await upgradeStatus(`${base}/get?token=wrong-key-0123456789abcdef`)).toBe(401);
      expect(await upgradeStatus(`${base}/get`, { authorization: `Bearer ${READER_KEY}` })).toBe(101);
      const { text } = await sockets.oneShot(`${base}/get?token=${READER_KEY}`, body);
      expect(JSON.parse(text)).toMatchObject({ status_code: 200, response_message: { id: 'a' } });
    }
  });
});

describe('JWT (HS256)', () => {
  let gw: TestGateway;
  let table: string;
  const clients = new WsClients();

  beforeAll(async () => {
    gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: readerRules }) });
    table = uniqueTable('jwt');
    const admin = await token({ role: 'admin', sub: 'root' });
    await post(gw, `mutation { createTable(table: "${table}") { name } }`, undefined, bearer(admin));
  });
  afterEach(() => clients.closeAll());
  afterAll(() => gw.close());

  it('accepts a valid token and takes the role from its claim', async () => {
    const result = await post(gw, rowsQuery(table), undefined, bearer(await token({ role: 'reader', sub: 'u1' })));
    expect(result.body).toEqual({ data: { query: [] } });
  });

  it.each([
    ['a wrong signature', () => token({ role: 'reader' }, { secret: 'another-secret-of-at-least-32-bytes!!' }), 'signature'],
    ['an expired token', () => token({ role: 'reader' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
    ['a token not valid yet', () => token({ role: 'reader' }, { notBefore: Math.floor(Date.now() / 1000) + 3600 }), 'nbf'],
    ['a token without a role', () => token({ sub: 'u1' }), 'role'],
    ['garbage', () => Promise.resolve('not.a.jwt'), 'invalid token'],
  ])('refuses %s with 401', async (_label, make, says) => {
    const result = await post(gw, rowsQuery(table), undefined, bearer(await make()));
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.body.errors?.[0]?.message).toContain(says);
  });

  it('refuses an expired token on graphql-ws (4403), SSE and RDM (401) alike', async () => {
    const expired = await token({ role: 'reader', sub: 'u1' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const client = clients.open(gw.app.url, { connectionParams: { token: expired } });
    const sub = subscribeWs(client, changes(table));
    await sub.ended;
    expect(client.closes).toEqual([4403]);
    expect(sub.results).toEqual([]);
    const sse = subscribeSse(gw.app.url, changes(table), undefined, bearer(expired));
    await sse.ended;
    expect(String(sse.failure)).toContain('401');
    const rdm = await fetch(`http://127.0.0.1:${gw.app.port}/rdm/get_all`, { method: 'POST', headers: bearer(expired), body: JSON.stringify(packet({ table })) });
    expect(rdm.status).toBe(401);
    expect(((await rdm.json()) as { error: { message: string } }).error.message).toBe('token expired');
    expect(await upgradeStatus(`ws://127.0.0.1:${gw.app.port}/rdm/get_all?token=${expired}`)).toBe(401);
  });

  it('stops answering a keep-alive RDM websocket once its token expires', async () => {
    const short = await token({ role: 'reader', sub: 'u1' }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const ws = new WebSocket(`ws://127.0.0.1:${gw.app.port}/rdm/get_all?keepalive=1&token=${short}`);
    try {
      const replies: { status_code: number; error?: { code: string } }[] = [];
      let closeCode: number | undefined;
      ws.on('message', (data) => replies.push(JSON.parse(String(data)) as { status_code: number }));
      ws.on('close', (code) => (closeCode = code));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const send = () => ws.send(JSON.stringify(packet({ table })));
      send();
      await expect.poll(() => replies.length).toBe(1);
      expect(replies[0]?.status_code).toBe(200);
      await expect.poll(async () => {
        if (closeCode === undefined) send();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return closeCode;
      }, { timeout: 6000, interval: 200 }).toBe(1008);
      expect(replies.at(-1)?.error?.code).toBe('UNAUTHENTICATED');
    } finally {
      ws.terminate();
    }
  });

  it('ends graphql-ws subscriptions and the connection when the token expires', async () => {
    const short = await token({ role: 'reader', sub: 'u1' }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const client = clients.open(gw.app.url, { connectionParams: { token: short } });
    const sub = subscribeWs<{ changes: { type: string } }>(client, changes(table));
    await sub.until((data) => data.length > 0, 'READY');
    await sub.ended;
    // Two timers fire at the expiry: the socket's (close 4403) and the subscription's (an
    // UNAUTHENTICATED error); whichever the client hears first ends the subscription.
    const expiredError = sub.results.some((result) => result.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED'));
    expect(expiredError || client.closes.includes(4403)).toBe(true);
    await expect.poll(() => gw.app.subscriptions.stats().subscribers).toBe(0);
    await expect.poll(() => client.closes.length).toBeGreaterThan(0);
  });

  it('ends an SSE subscription with an UNAUTHENTICATED error when the token expires', async () => {
    const short = await token({ role: 'reader', sub: 'u1' }, { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const sse = subscribeSse<{ changes: { type: string } }>(gw.app.url, changes(table), undefined, bearer(short));
    await sse.until((data) => data.length > 0, 'READY');
    await sse.ended;
    expect(sse.results.at(-1)?.errors?.[0]).toMatchObject({ message: expect.stringContaining('token expired'), extensions: { code: 'UNAUTHENTICATED' } });
    await expect.poll(() => gw.app.subscriptions.stats().subscribers).toBe(0);
  });
});

describe('JWT with public keys', () => {
  it.each(['pem', 'jwks'] as const)('verifies ES256 tokens against a %s file and refuses tokens of another key', async (kind) => {
    const dir = mkdtempSync(join(tmpdir(), 'rethinkql-jwt-'));
    let gw: TestGateway | undefined;
    try {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const other = await generateKeyPair('ES256');
      const path = join(dir, kind === 'pem' ? 'key.pem' : 'jwks.json');
      writeFileSync(path, kind === 'pem' ? await exportSPKI(publicKey) : JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
      gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', [kind === 'pem' ? 'JWT_PUBLIC_KEY_FILE' : 'JWT_JWKS_FILE']: path }) });
      const sign = (key: CryptoKey) => new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setExpirationTime('1h').sign(key);
      expect((await post(gw, '{ databases }', undefined, bearer(await sign(privateKey)))).status).toBe(200);
      const forged = await post(gw, '{ databases }', undefined, bearer(await sign(other.privateKey)));
      expect(forged.status).toBe(401);
      expect(forged.body.errors?.[0]?.message).toContain('signature');
    } finally {
      await gw?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings', () => {
  it('is refused on a non-loopback address unless --insecure is given', () => {
    expect(() => loadConfig([], { HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig([], { HOST: '0.0.0.0' })).toThrow(/--insecure/);
    expect(() => loadConfig(['--insecure'], { HOST: '0.0.0.0' })).not.toThrow();
    expect(() => loadConfig([], { HOST: '0.0.0.0', AUTH_MODE: 'api-key', API_KEYS: `${READER_KEY}:reader` })).not.toThrow();
  });

  it('refuses weak or malformed credentials settings with a message naming them', () => {
    expect(() => loadConfig([], { AUTH_MODE: 'api-key', API_KEYS: 'short:reader' })).toThrow(/API_KEYS: the key of entry 1 .* at least 16/);
    expect(() => loadConfig([], { AUTH_MODE: 'jwt', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(() => loadConfig([], { PERMISSIONS: '{"reader": {"test.t": {"raed": true}}}' })).toThrow(/role "reader", "test.t": unknown key "raed"/);
  });

  it('reads keys and rules from the config file as JSON objects, as the README example writes them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rethinkql-auth-'));
    try {
      const path = join(dir, 'rethinkql.json');
      const permissions = { user: { 'app.notes': { read: true, rows: { owner: { eq: '$user.id' } }, hiddenFields: ['secret'], readonlyFields: ['createdAt'] } } };
      writeFileSync(path, JSON.stringify({ host: '0.0.0.0', authMode: 'api-key', apiKeys: { [READER_KEY]: 'user' }, rateLimitPerKey: 600, permissions }));
      const config = loadConfig(['--config', path], {});
      if (config === 'help') throw new Error('unreachable');
      expect(config.security).toMatchObject({ authMode: 'api-key', rateLimitPerKey: 600 });
      expect(config.security.apiKeys.get(READER_KEY)).toBe('user');
      const rule = config.security.permissions.get('user')?.get('app.notes');
      expect(rule && { actions: [...rule.actions], rows: rule.rows, hidden: rule.hiddenFields }).toEqual({ actions: ['read'], rows: { owner: { eq: '$user.id' } }, hidden: ['secret'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
