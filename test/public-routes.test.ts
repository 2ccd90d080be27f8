import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { securityFrom } from './support/auth.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// Issue 21, item 7: the unauthenticated heavy routes are rate-limited, and the GraphiQL page is
// sent compressed and revalidated rather than sent again.
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** A raw GET (fetch would decompress): status, headers and the body bytes as sent. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: gw?.app.port, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

const page = { accept: 'text/html' };

describe('unauthenticated routes', () => {
  it('serve the GraphiQL page gzip-compressed with an ETag, and 304 when the browser has it', async () => {
    gw = await startTestGateway({ graphiql: true });
    const plain = await get('/graphql', page);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('<html');
    const gzipped = await get('/graphql', { ...page, 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(plain.headers['cache-control']).toBe('no-cache');
    const again = await get('/graphql', { ...page, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('count the GraphiQL page and /ready against the per-address rate limit', async () => {
    gw = await startTestGateway({ graphiql: true, security: securityFrom({ RATE_LIMIT_PER_IP: '3' }) });
    const statuses = [(await get('/graphql', page)).status, (await get('/ready', {})).status, (await get('/graphql', page)).status];
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get('/ready', {});
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await get('/graphql', page)).status).toBe(429);
    expect((await get('/health', {})).status).toBe(200);
  });
});
