import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { GatewayYoga } from '../graphql/context.js';

interface Page {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly etag: string;
}

/**
 * Serves the GraphiQL page (~9 MB: its assets are inlined) rendered once by yoga, then from
 * memory: gzip-compressed when the client accepts it, with an ETag and `Cache-Control: no-cache`
 * so browsers revalidate and get a 304 instead of the page again. The caller rate-limits it.
 */
export function createGraphiqlPage(yoga: GatewayYoga, graphqlPath: string) {
  let page: Promise<Page> | undefined;
  const render = async (): Promise<Page> => {
    const response = await yoga.fetch(new URL(graphqlPath, 'http://localhost'), { headers: { accept: 'text/html' } });
    const body = Buffer.from(await response.arrayBuffer());
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    return { status: response.status, type: response.headers.get('content-type') ?? 'text/html; charset=utf-8', body, gzip: gzipSync(body), etag };
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    page ??= render();
    const { status, type, body, gzip, etag } = await page;
    const headers = { 'content-type': type, etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      return;
    }
    const gzipped = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const sent = gzipped ? gzip : body;
    response.writeHead(status, { ...headers, 'content-length': sent.length, ...(gzipped ? { 'content-encoding': 'gzip' } : {}) });
    response.end(request.method === 'HEAD' ? undefined : sent);
  };
}
