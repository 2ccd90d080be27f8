// The graphql-ws transport glue (src/graphql/graphql-ws-transport.ts) on its own: the shared
// keep-alive timer, with graphql-ws's real protocol core and real ws sockets.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { buildSchema } from 'graphql';
import { makeServer } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { serveGraphqlWs, type GraphqlWsSockets, type WsExtra } from '../src/graphql/graphql-ws-transport.js';
import { createLogger } from '../src/observability/logger.js';

const leftovers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of leftovers.splice(0).reverse()) await close();
});

/** An HTTP server on a free port whose upgrades go to serveGraphqlWs with `keepAliveMs`. */
async function start(keepAliveMs: number): Promise<string> {
  const server = new WebSocketServer({ noServer: true });
  const core = makeServer<Record<string, unknown> | undefined, WsExtra>({ schema: buildSchema('type Query { hello: String }') });
  const sockets: GraphqlWsSockets = serveGraphqlWs(server, core, createLogger('silent'), keepAliveMs);
  const http: HttpServer = createServer();
  http.on('upgrade', (request, socket, head) => server.handleUpgrade(request, socket, head, (ws) => sockets.accept(ws, request)));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  leftovers.push(async () => {
    await sockets.dispose();
    http.close();
  });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** A graphql-transport-ws client, acknowledged; `autoPong` false: it never answers pings. */
async function connect(url: string, autoPong: boolean): Promise<{ socket: WebSocket; pings: () => number }> {
  const socket = new WebSocket(url, 'graphql-transport-ws', { autoPong });
  leftovers.push(async () => void socket.terminate());
  let pings = 0;
  socket.on('ping', () => pings++);
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  const [ack] = (await once(socket, 'message')) as [Buffer];
  expect(JSON.parse(ack.toString())).toEqual({ type: 'connection_ack' });
  return { socket, pings: () => pings };
}

describe('graphql-ws transport keep-alive', () => {
  it('pings every socket; drops one that did not answer the previous ping, keeps one that did', async () => {
    const url = await start(50);
    const answering = await connect(url, true);
    const silent = await connect(url, false);
    const [code] = (await once(silent.socket, 'close')) as [number];
    // Terminated, not closed: no close frame (1006).
    expect(code).toBe(1006);
    expect(silent.pings()).toBeGreaterThanOrEqual(1);
    // The answering socket was pinged at least as often and is still open.
    expect(answering.pings()).toBeGreaterThanOrEqual(silent.pings());
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    // …and still served: a query gets its answer.
    answering.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ hello }' } }));
    const [next] = (await once(answering.socket, 'message')) as [Buffer];
    expect(JSON.parse(next.toString())).toEqual({ id: '1', type: 'next', payload: { data: { hello: null } } });
  });
});
