import { pino } from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// Issue 21, item 13: a client's mistakes are logged once, at info (refusals at warn), without the
// document; error level is for faults of the gateway or the database.
const lines: { level: number; msg: string }[] = [];
const raw: string[] = [];
let gw: TestGateway;
beforeAll(async () => {
  const log = pino({ level: 'debug' }, { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line) as { level: number; msg: string })) });
  gw = await startTestGateway({ maxDepth: 3, maxBodyBytes: 4096 }, log);
});
afterAll(() => gw?.close());

const MARKER = 'document-text-marker';
/** Bad inputs of every kind a client sends, each carrying MARKER in its document. */
const BAD = [
  { query: `{ databases # ${MARKER}\n` },
  { query: `{ noSuchField # ${MARKER}\n }` },
  { query: `query V($id: ID!) { document(table: "t", id: $id) } # ${MARKER}`, variables: { id: { a: 1 } } },
  { query: `query V($id: ID!) { document(table: "t", id: $id) } # ${MARKER}`, variables: {} },
  { query: `{ document(table: "no_such_table_here", id: "x") } # ${MARKER}` },
  { query: `{ a { b { c { d { e } } } } } # ${MARKER}` },
  { query: `{ databases } # ${MARKER}`, variables: 'not an object' },
];

it('logs each client mistake at most once, below error level, without the document', async () => {
  const start = lines.length;
  for (const body of BAD) {
    const response = await fetch(gw.app.url.replace('localhost', '127.0.0.1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await response.json()) as { errors?: unknown[] };
    expect(answer.errors, JSON.stringify(body)).toBeDefined();
  }
  const url = new URL(gw.app.url.replace('localhost', '127.0.0.1'));
  url.searchParams.set('query', `{ databases } # ${MARKER}`);
  url.searchParams.set('variables', '{');
  await (await fetch(url)).arrayBuffer();

  const logged = lines.slice(start).filter((line) => line.level >= 30);
  expect(logged.filter((line) => line.level >= 50)).toEqual([]);
  expect(logged.length).toBeLessThanOrEqual(BAD.length + 1);
  expect(raw.slice(start).join('')).not.toContain(MARKER);
  expect(logged.map((line) => line.msg)).toContain('client error in a GraphQL operation');
});

it('logs an oversized websocket frame at info, not as a stack trace on stderr', async () => {
  const start = lines.length;
  // Observes console.error (graphql-ws prints socket errors there); it still prints.
  const printed = vi.spyOn(console, 'error');
  try {
    const socket = new WebSocket(gw.app.url.replace('http://localhost', 'ws://127.0.0.1'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(8192));
    expect(await closed).toBe(1009);
    expect(printed).not.toHaveBeenCalled();
  } finally {
    printed.mockRestore();
  }
  const logged = lines.slice(start).filter((line) => line.level >= 30);
  expect(logged.map((line) => [line.level, line.msg])).toEqual([[30, 'graphql-ws frame refused']]);
});
