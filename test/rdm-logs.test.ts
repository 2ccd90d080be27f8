import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startApp, type App } from '../src/app.js';
import { defaultConfig } from '../src/config/config.js';
import { packet } from './support/rdm.js';

// The request id of an RDM request reaches its log line, on every way in.
const lines: Record<string, unknown>[] = [];
let app: App;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  app = await startApp(defaultConfig({ port: 0, demo: false }), pino({ level: 'info' }, sink));
});
afterAll(() => app?.close());

const rdmLogOf = (requestId: string) => lines.find((line) => line.msg === 'RDM request' && line.requestId === requestId);

it('logs each RDM reply with the request id of its HTTP request, websocket packet or GraphQL operation', async () => {
  const base = `127.0.0.1:${app.port}`;
  const body = JSON.stringify(packet({ table: 'no_such_table', identifier: 'x' }));
  const http = await fetch(`http://${base}/rdm/get`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'http-7' }, body });
  expect(http.headers.get('x-request-id')).toBe('http-7');
  await http.text();

  const ws = new WebSocket(`ws://${base}/rdm/get?keepalive=1`, { headers: { 'x-request-id': 'ws-1' } });
  await new Promise((resolve) => ws.once('open', resolve));
  const replies: unknown[] = [];
  ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
  ws.send(body);
  ws.send(body);
  await vi.waitFor(() => expect(replies).toHaveLength(2));
  ws.close();

  await fetch(`http://${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'gql-3' },
    body: JSON.stringify({ query: 'mutation($p: JSON!) { rdm(operation: GET, packet: $p) }', variables: { p: JSON.parse(body) } }),
  }).then((response) => response.text());

  for (const [requestId, transport] of [['http-7', 'http'], ['ws-1/1', 'websocket'], ['ws-1/2', 'websocket'], ['gql-3', 'graphql']]) {
    expect(rdmLogOf(requestId as string), requestId).toMatchObject({ transport, status: 500, code: 'NOT_FOUND', path: '/get' });
  }
});
