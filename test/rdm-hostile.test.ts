import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, testDb, uniqueTable, type TestGateway } from './support/gateway.js';
import { packet, RDM_WAYS, rdmErrorText, rdmVia, SocketTracker } from './support/rdm.js';

let gw: TestGateway;
let table: string;
const sockets = new SocketTracker();
beforeAll(async () => {
  gw = await startTestGateway({ wsPort: 0 });
  table = uniqueTable('rdm');
  await gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
});
afterEach(() => sockets.closeAll());
afterAll(() => gw?.close());

const envelope = (rest: Record<string, unknown>) => JSON.stringify({ id: 'h1', type: 'rethink-manager-call', time: 't', ...rest });
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const MiB = 1024 * 1024;

/** [label, path, raw packet text]: each must get the error reply with BAD_USER_INPUT and write nothing. */
const hostile: [string, string, () => string][] = [
  ['malformed JSON', '/insert', () => '{"id": 1, "type": "rethink-manager-call", "payload": {'],
  ['an empty frame', '/insert', () => ''],
  ['a JSON array', '/insert', () => '[1, 2]'],
  ['a JSON string', '/insert', () => '"hello"'],
  ['null', '/insert', () => 'null'],
  ...['id', 'type', 'payload', 'time'].map(
    (key): [string, string, () => string] => [
      `a packet without ${key}`,
      '/insert',
      () => JSON.stringify(Object.fromEntries(Object.entries(packet({ table, data: { v: 1 } })).filter(([name]) => name !== key))),
    ],
  ),
  ['a wrong type', '/insert', () => JSON.stringify(packet({ table, data: { v: 1 } }, { type: 'rethink-call' }))],
  ['a numeric type', '/insert', () => JSON.stringify(packet({ table, data: { v: 1 } }, { type: 7 }))],
  ['a list payload', '/insert', () => envelope({ payload: [table] })],
  ['a string payload', '/insert', () => envelope({ payload: 'test.t' })],
  ['no payload.database', '/insert', () => envelope({ payload: { table, data: { v: 1 } } })],
  ['no payload.table', '/insert', () => envelope({ payload: { database: testDb, data: { v: 1 } } })],
  ['a numeric database', '/insert', () => JSON.stringify(packet({ database: 5, table, data: { v: 1 } }))],
  ['a table name starting with a digit', '/insert', () => JSON.stringify(packet({ table: '1abc', data: { v: 1 } }))],
  ['a table name with a dash', '/create_table', () => JSON.stringify(packet({ table: 'a-b' }))],
  ['a table name with ReQL in it', '/create_table', () => JSON.stringify(packet({ table: "x'); r.dbDrop('test" }))],
  ['an empty table name', '/create_table', () => JSON.stringify(packet({ table: '' }))],
  ['a 65-character table name', '/create_table', () => JSON.stringify(packet({ table: 'a'.repeat(65) }))],
  ['the system database', '/get_all', () => JSON.stringify(packet({ database: 'rethinkdb', table: 'users' }))],
  ['string data', '/insert', () => JSON.stringify(packet({ table, data: 'v=1' }))],
  ['numeric data', '/insert', () => JSON.stringify(packet({ table, data: 5 }))],
  ['a list of numbers as data', '/insert', () => JSON.stringify(packet({ table, data: [{ v: 1 }, 2] }))],
  ['an empty list as data', '/insert', () => JSON.stringify(packet({ table, data: [] }))],
  ['null data', '/insert', () => JSON.stringify(packet({ table, data: null }))],
  ['a list as update data', '/update', () => JSON.stringify(packet({ table, identifier: 'a', data: [{ v: 1 }] }))],
  ['an object identifier', '/get', () => JSON.stringify(packet({ table, identifier: { $gt: '' } }))],
  ['a missing identifier', '/delete', () => envelope({ payload: { database: testDb, table } })],
  ['a numeric filter', '/filter', () => JSON.stringify(packet({ table, filter: 5 }))],
  ['a list filter', '/filter', () => JSON.stringify(packet({ table, filter: '[1, 2]' }))],
  ['a Python expression as filter', '/filter', () => JSON.stringify(packet({ table, filter: "{'a': __import__('os').getcwd()}" }))],
  ['a filter key with a dot', '/filter', () => JSON.stringify(packet({ table, filter: { 'a.b': 1 } }))],
  ['a database hidden in __proto__', '/get_all', () => `{"id":1,"type":"rethink-manager-call","time":1,"payload":{"__proto__":{"database":"${testDb}"},"table":"${table}"}}`],
  ['a RethinkDB pseudo-type as data', '/insert', () => JSON.stringify(packet({ table, data: { $reql_type$: 'BINARY', data: 'AAAA' } }))],
  ['a pseudo-type nested in update data', '/update', () => JSON.stringify(packet({ table, identifier: 'a', data: { at: { $reql_type$: 'TIME', epoch_time: 1, timezone: '+00:00' } } }))],
  ['a pseudo-type in an unused payload field', '/get_all', () => JSON.stringify(packet({ table, data: [{ x: { $reql_type$: 'GEOMETRY' } }] }))],
  ['a packet over maxBodyBytes', '/insert', () => JSON.stringify(packet({ table, data: { blob: 'x'.repeat(1.2 * MiB) } }))],
  ['10,000 nested arrays', '/insert', () => JSON.stringify(packet({ table, data: { v: 1 } })).replace('"v":1', `"v":${nested(10_000)}`)],
  ['data nested 18 levels', '/insert', () => JSON.stringify(packet({ table, data: JSON.parse(nested(15).replace('1', '{"a": 1}')) as unknown }))],
];

async function counts(): Promise<{ docs: number; audit: number }> {
  const data = await gw.ok<{ docs: number; audit: number }>(
    'query($t: String!, $audit: String!) { docs: count(table: $t) audit: count(db: $audit, table: "rethink_data_manager") }',
    { t: table, audit: gw.dbs.audit },
  );
  return data;
}

describe.each(RDM_WAYS)('hostile and malformed packets over %s', (way) => {
  it.each(hostile)('answers %s with the error reply; the listener keeps serving and nothing is written', async (label, path, text) => {
    const send = rdmVia(gw, way, sockets);
    if (way === 'graphql' && label.includes('maxBodyBytes')) {
      // The GraphQL endpoint refuses the whole request body before any resolver runs.
      const refused = await gw.gql('mutation($p: JSON!) { rdm(operation: INSERT, packet: $p) }', { p: text() });
      expect(refused.errors?.[0]?.message).toContain('exceeds the limit');
      return;
    }
    // Warm the audit table so that counting it works before the first accepted packet.
    await send('/get_all', packet({ table }));
    const before = await counts();
    const answer = await send(path, text());
    expect(answer.reply).toEqual({
      status_code: 500,
      response_message: rdmErrorText(path),
      error: { code: 'BAD_USER_INPUT', message: expect.any(String) },
    });
    if (way === 'ws' || way === 'legacy') expect(answer.closeCode).toBe(1000);
    expect(await counts()).toEqual(before);
    const after = await send('/get_all', packet({ table }));
    expect(after.reply).toEqual({ status_code: 200, response_message: [] });
  });
});

describe('paths and transport limits', () => {
  it.each(['/', '/insert/', '/nope', '/INSERT', '/get_all/x'])('answers the unknown path %s with the error reply naming it', async (path) => {
    for (const way of ['http', 'ws', 'legacy'] as const) {
      const answer = await rdmVia(gw, way, sockets)(path, packet({ table }));
      expect(answer.reply).toEqual({ status_code: 500, response_message: rdmErrorText(path), error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('runs the deepest packet it accepts (17 levels) through insert, update, get and the audit trail', async () => {
    const chain = (value: number) => {
      let doc: Record<string, unknown> = { v: value };
      for (let level = 17; level > 4; level--) doc = { a: doc };
      return doc;
    };
    const send = rdmVia(gw, 'legacy', sockets);
    const deep = uniqueTable('rdm');
    await send('/create_table', packet({ table: deep }));
    expect((await send('/insert', packet({ table: deep, data: { id: 'deep', a: chain(1) } }))).reply.status_code).toBe(200);
    const updated = await send('/update', packet({ table: deep, identifier: 'deep', data: { a: chain(2) } }));
    expect(updated.reply.status_code).toBe(200);
    expect((await send('/get', packet({ table: deep, identifier: 'deep' }))).reply.response_message).toEqual({ id: 'deep', a: chain(2) });
    const tooDeep = await send('/insert', packet({ table: deep, data: [{ id: 'deeper', a: chain(1) }] }));
    expect(tooDeep.reply.error?.message).toContain('deeper than 17 levels');
  });

  it('answers an oversize HTTP body with 413 and the error reply', async () => {
    const body = JSON.stringify(packet({ table, data: { blob: 'x'.repeat(1.5 * MiB) } }));
    const response = await fetch(`http://127.0.0.1:${gw.app.port}/rdm/insert`, { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status_code: 500, response_message: rdmErrorText('/insert'), error: { code: 'BAD_USER_INPUT' } });
  });

  it('closes a websocket with 1009 on a frame beyond twice the limit, and keeps serving others', async () => {
    const ws = sockets.connect(`ws://127.0.0.1:${gw.app.legacyPort}/insert`);
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify(packet({ table, data: { blob: 'x'.repeat(2.5 * MiB) } }))));
      ws.on('close', (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(1009);
    const after = await rdmVia(gw, 'legacy', sockets)('/get_all', packet({ table }));
    expect(after.reply.status_code).toBe(200);
  });

  it('reads binary frames as UTF-8 text, like RDM', async () => {
    const { text, closeCode } = await sockets.oneShot(`ws://127.0.0.1:${gw.app.legacyPort}/get_all`, Buffer.from(JSON.stringify(packet({ table }))));
    expect(JSON.parse(text)).toEqual({ status_code: 200, response_message: [] });
    expect(closeCode).toBe(1000);
  });

  it('answers only the first packet of a one-shot connection, then closes 1000', async () => {
    const ws = sockets.connect(`ws://127.0.0.1:${gw.app.port}/rdm/get_all`);
    const replies: string[] = [];
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => {
        ws.send(JSON.stringify(packet({ table })));
        ws.send(JSON.stringify(packet({ table: 'other' })));
      });
      ws.on('message', (data) => replies.push(String(data)));
      ws.on('close', (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(1000);
    expect(replies.map((reply) => JSON.parse(reply) as unknown)).toEqual([{ status_code: 200, response_message: [] }]);
  });

  it('refuses websocket upgrades outside /rdm on the main port and keeps GraphQL working', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.app.port}/insert`);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode));
      ws.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
    expect(await gw.ok('{ databases }')).toHaveProperty('databases');
  });
});
