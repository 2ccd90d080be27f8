import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '../http/server.js';

/** Where the page lives. `/demo` is the page itself; its scripts and styles are under `/demo/`. */
export const DEMO_PATH = '/demo';

/** One static file held in memory: the page is a few kilobytes, read once at start. */
interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

// Only our own scripts and styles, and the one websocket back to this gateway. 'self' in
// connect-src does not cover ws: in every browser, hence the schemes (the page only ever opens
// the gateway's own host, derived from location).
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const JS = 'text/javascript; charset=utf-8';

// The assets sit next to this module: src/demo/assets when run from source, and
// dist/demo/assets after `npm run build` (which copies them).
const assetsDir = new URL('./assets/', import.meta.url);

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The browser build of the graphql-ws client, straight from the installed package: the file its
 * package.json names as the `browser` export of `graphql-ws/client`, plus the chunks it imports
 * relatively. Throws when a file imports a bare specifier (a browser could not load it without
 * a bundler or an import map) — so a graphql-ws upgrade that changes its layout fails at start.
 * @returns the files by name (all in one directory), the entry first.
 */
export async function readGraphqlWsBrowserClient(): Promise<Map<string, Buffer>> {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('graphql-ws/package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { exports?: Record<string, { browser?: unknown }> };
  const entry = manifest.exports?.['./client']?.browser;
  if (typeof entry !== 'string' || !entry.endsWith('.js')) throw new Error('graphql-ws/package.json has no browser export for ./client');
  const dir = join(dirname(manifestPath), posix.dirname(entry));
  const files = new Map<string, Buffer>();
  const pending = [posix.basename(entry)];
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (files.has(name)) continue;
    const body = await readFile(join(dir, name));
    files.set(name, body);
    const source = body.toString('utf8');
    // Statements only (line-anchored): the client's messages quote `import WebSocket from 'ws'`.
    for (const [, from, bare] of source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
      const specifier = from ?? bare ?? '';
      const local = /^\.\/([\w.-]+\.js)$/.exec(specifier)?.[1];
      if (!local) throw new Error(`graphql-ws's browser client ${name} imports "${specifier}", which a browser cannot load unbundled`);
      pending.push(local);
    }
  }
  return files;
}

/**
 * Serves the live leaderboard page: `GET /demo` (HTML), `/demo/leaderboard.js` and
 * `/demo/leaderboard.css` (ours), `/demo/vendor/graphql-ws/*.js` (the graphql-ws browser client
 * from node_modules). The page subscribes over graphql-ws on `graphqlPath` to the top ten of
 * the demo's `players` table. Every response carries a CSP that allows only this origin's
 * scripts and styles. Mount it only where the demo tables exist (config.demo).
 */
export async function mountDemoPage(server: Pick<Server, 'onRequest'>, options: { graphqlPath: string }): Promise<void> {
  const read = (name: string) => readFile(new URL(name, assetsDir));
  const html = (await read('page.html')).toString('utf8').replaceAll('{{graphqlPath}}', escapeHtml(options.graphqlPath));
  const assets = new Map<string, Asset>([
    [DEMO_PATH, { type: 'text/html; charset=utf-8', body: Buffer.from(html) }],
    [`${DEMO_PATH}/leaderboard.js`, { type: JS, body: await read('leaderboard.js') }],
    [`${DEMO_PATH}/leaderboard.css`, { type: 'text/css; charset=utf-8', body: await read('leaderboard.css') }],
  ]);
  for (const [name, body] of await readGraphqlWsBrowserClient()) assets.set(`${DEMO_PATH}/vendor/graphql-ws/${name}`, { type: JS, body });
  assets.set(`${DEMO_PATH}/`, assets.get(DEMO_PATH) as Asset);

  server.onRequest(DEMO_PATH, (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const asset = assets.get(path);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      return void response.end('method not allowed\n');
    }
    if (!asset) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      return void response.end('not found\n');
    }
    response.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, ...SECURITY_HEADERS });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  });
}
