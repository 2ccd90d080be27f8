import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { scratchDb, startTestGateway, testDb, uniqueTable, type TestGateway } from './support/gateway.js';
import { packet, rdmErrorText, rdmVia, SocketTracker, type RdmReplyBody } from './support/rdm.js';

let gw: TestGateway;
const sockets = new SocketTracker();
const extra: TestGateway[] = [];
beforeAll(async () => {
  gw = await startTestGateway({ wsPort: 0 });
});
afterEach(async () => {
  sockets.closeAll();
  await Promise.all(extra.splice(0).map((gateway) => gateway.close()));
});
afterAll(() => gw?.close());

describe('health', () => {
  it('answers GET /rdm/health and the legacy GET /health in plain text', async () => {
    for (const url of [`http://127.0.0.1:${gw.app.port}/rdm/health`, `http://127.0.0.1:${gw.app.legacyPort}/health`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('Server Up and Running!\n');
    }
  });

  it('answers a websocket handshake on /health with the plain HTTP health, as RDM did', async () => {
    for (const url of [`ws://127.0.0.1:${gw.app.legacyPort}/health`, `ws://127.0.0.1:${gw.app.port}/rdm/health`]) {
      const ws = sockets.connect(url);
      const body = await new Promise<string>((resolve) => {
        ws.on('unexpected-response', (_request, response) => {
          let text = `${response.statusCode} `;
          response.on('data', (chunk: Buffer) => (text += String(chunk)));
          response.on('end', () => resolve(text));
        });
      });
      expect(body).toBe('200 Server Up and Running!\n');
    }
  });

  it('answers HEALTH through POST and the GraphQL field with an RDM reply', async () => {
    const expected = { status_code: 200, response_message: 'Server Up and Running!\n' };
    expect((await rdmVia(gw, 'http', sockets)('/health', '')).reply).toEqual(expected);
    expect((await rdmVia(gw, 'graphql', sockets)('/health', {})).reply).toEqual(expected);
  });

  it('tells plain HTTP clients of the legacy listener to upgrade, and refuses GET of an operation on the main port', async () => {
    const legacy = await fetch(`http://127.0.0.1:${gw.app.legacyPort}/insert`);
    expect(legacy.status).toBe(426);
    await legacy.text();
    const main = await fetch(`http://127.0.0.1:${gw.app.port}/rdm/insert`);
    expect(main.status).toBe(405);
    expect(main.headers.get('allow')).toBe('POST');
    expect(await main.json()).toMatchObject({ status_code: 500, response_message: rdmErrorText('/insert'), error: { code: 'METHOD_NOT_ALLOWED' } });
  });
});

/** Opens a keep-alive connection; `replies` fills as frames arrive. */
function keepAlive(url: string): { ws: WebSocket; replies: RdmReplyBody[]; opened: Promise<void>; waitFor(n: number): Promise<void> } {
  const ws = sockets.connect(url);
  const replies: RdmReplyBody[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    replies.push(JSON.parse(String(data)) as RdmReplyBody);
    waiters.splice(0).forEach((wake) => wake());
  });
  ws.on('close', () => waiters.splice(0).forEach((wake) => wake()));
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const waitFor = async (n: number) => {
    while (replies.length < n) {
      if (ws.readyState > 1) throw new Error(`closed after ${replies.length} of ${n} replies`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, replies, opened, waitFor };
}

describe('keep-alive mode', () => {
  it('answers 1,000 packets on one connection, in order, each reply carrying its packet id', async () => {
    const table = uniqueTable('rdm');
    await rdmVia(gw, 'http', sockets)('/create_table', packet({ table }));
    const { ws, replies, opened, waitFor } = keepAlive(`ws://127.0.0.1:${gw.app.port}/rdm/insert?keepalive=1`);
    await opened;
    const ids = Array.from({ length: 1000 }, (_, i) => `packet-${i}`);
    // Every tenth packet repeats an earlier key, so some replies are errors and must still match their packet.
    ids.forEach((id, i) => ws.send(JSON.stringify(packet({ table, data: { id: i % 10 === 9 ? `doc-${i - 1}` : `doc-${i}`, i } }, { id }))));
    await waitFor(1000);
    expect(replies.map((reply) => reply.id)).toEqual(ids);
    replies.forEach((reply, i) => {
      if (i % 10 === 9) expect(reply).toMatchObject({ status_code: 500, error: { code: 'CONFLICT' } });
      else expect(reply).toEqual({ status_code: 200, response_message: { deleted: 0, errors: 0, inserted: 1, replaced: 0, skipped: 0, unchanged: 0 }, id: ids[i] });
    });
    expect(ws.readyState).toBe(1);
    const count = await gw.ok<{ count: number }>(`{ count(table: "${table}") }`);
    expect(count.count).toBe(900);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.close(1000);
    expect(await closed).toBe(1000);
  }, 120_000);

  it('answers malformed packets on the legacy listener with id null and keeps the connection open', async () => {
    const table = uniqueTable('rdm');
    await rdmVia(gw, 'http', sockets)('/create_table', packet({ table }));
    const { ws, replies, opened, waitFor } = keepAlive(`ws://127.0.0.1:${gw.app.legacyPort}/get_all?keepalive=true`);
    await opened;
    ws.send('{not json');
    ws.send(JSON.stringify(packet({ table }, { id: 42 })));
    ws.send(JSON.stringify(packet({ table: 'missing_tbl' }, { id: { nested: true } })));
    await waitFor(3);
    expect(replies).toEqual([
      { status_code: 500, response_message: rdmErrorText('/get_all'), error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('JSON') }, id: null },
      { status_code: 200, response_message: [], id: 42 },
      { status_code: 500, response_message: rdmErrorText('/get_all'), error: { code: 'NOT_FOUND', message: expect.any(String) }, id: null },
    ]);
    expect(ws.readyState).toBe(1);
  });
});

describe('audit trail', () => {
  it('writes one row per accepted request, before it runs, for every way in', async () => {
    const table = uniqueTable('rdm');
    const id = `audit-${table}`;
    for (const way of ['graphql', 'http', 'ws', 'legacy'] as const) {
      await rdmVia(gw, way, sockets)(way === 'graphql' ? '/create_table' : '/get_all', packet({ table }, { id: `${id}-${way}` }));
    }
    // Refused packets (bad name, unknown table) are not audited; one that fails while running (missing document) is.
    await rdmVia(gw, 'http', sockets)('/get', packet({ table: '1bad', identifier: 'x' }, { id: `${id}-refused` }));
    await rdmVia(gw, 'http', sockets)('/get', packet({ table: 'missing_tbl', identifier: 'x' }, { id: `${id}-unknown` }));
    await rdmVia(gw, 'http', sockets)('/get', packet({ table, identifier: 'ghost' }, { id: `${id}-ghost` }));
    const rows = await gw.ok<{ query: Record<string, unknown>[] }>(
      'query($db: String!, $w: JSONObject) { query(db: $db, table: "rethink_data_manager", where: $w, orderBy: [{ field: "identifier" }]) }',
      { db: gw.dbs.audit, w: { identifier: { startsWith: id } } },
    );
    expect(rows.query.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'id')))).toEqual([
      { identifier: `${id}-ghost`, type: 'rethink-manager-call', operation: 'get', transport: 'http', time: '2019-05-18T20:59:26.346996Z', payload: expect.objectContaining({ table, identifier: 'ghost' }) },
      { identifier: `${id}-graphql`, type: 'rethink-manager-call', operation: 'create_table', transport: 'graphql', time: expect.any(String), payload: expect.objectContaining({ database: testDb, table }) },
      { identifier: `${id}-http`, type: 'rethink-manager-call', operation: 'get_all', transport: 'http', time: expect.any(String), payload: expect.any(Object) },
      { identifier: `${id}-legacy`, type: 'rethink-manager-call', operation: 'get_all', transport: 'legacy-websocket', time: expect.any(String), payload: expect.any(Object) },
      { identifier: `${id}-ws`, type: 'rethink-manager-call', operation: 'get_all', transport: 'websocket', time: expect.any(String), payload: expect.any(Object) },
    ]);
  });

  it('creates a configured audit database and table when missing, and again when dropped', async () => {
    const auditDb = scratchDb('audit_custom');
    const custom = await startTestGateway({ rdmAuditDb: auditDb, rdmAuditTable: 'trail' });
    extra.push(custom);
    const send = rdmVia(custom, 'http', sockets);
    const table = uniqueTable('rdm');
    expect((await send('/create_table', packet({ table }))).reply.status_code).toBe(200);
    const count = async () => (await custom.ok<{ count: number }>('query($db: String!) { count(db: $db, table: "trail") }', { db: auditDb })).count;
    expect(await count()).toBe(1);
    await custom.ok('mutation($db: String!) { dropTable(db: $db, table: "trail") { name } }', { db: auditDb });
    expect((await send('/get_all', packet({ table }))).reply.status_code).toBe(200);
    expect(await count()).toBe(1);
  });

  it('writes nothing when switched off', async () => {
    const quiet = await startTestGateway({ rdmAudit: false });
    extra.push(quiet);
    const table = uniqueTable('rdm');
    expect((await rdmVia(quiet, 'http', sockets)('/create_table', packet({ table }))).reply.status_code).toBe(200);
    expect((await quiet.ok<{ databases: string[] }>('{ databases }')).databases).not.toContain(quiet.dbs.audit);
  });
});

describe('legacy listener settings', () => {
  it('is off by default in tests and on a free port with wsPort 0', async () => {
    const plain = await startTestGateway();
    extra.push(plain);
    expect(plain.app.legacyPort).toBeUndefined();
    expect(gw.app.legacyPort).toBeGreaterThan(0);
  });
});
