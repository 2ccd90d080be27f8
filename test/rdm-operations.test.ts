import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { packet, RDM_WAYS, rdmErrorText, rdmVia, SocketTracker, type RdmAnswer } from './support/rdm.js';

let gw: TestGateway;
const sockets = new SocketTracker();
beforeAll(async () => {
  gw = await startTestGateway({ wsPort: 0 });
});
afterEach(() => sockets.closeAll());
afterAll(() => gw?.close());

describe.each(RDM_WAYS)('every operation over %s', (way) => {
  const send = (path: string, body: unknown): Promise<RdmAnswer> => rdmVia(gw, way, sockets)(path, body);

  /** Checks what only the raw ways show: HTTP status, the close code, the Python-style text. */
  function checkTransport(answer: RdmAnswer, status: 200 | 500): void {
    if (way === 'http') expect(answer.httpStatus).toBe(status);
    if (way === 'ws' || way === 'legacy') expect(answer.closeCode).toBe(1000);
    if (answer.text !== undefined) expect(answer.text.startsWith(`{"status_code": ${status}, "response_message": `)).toBe(true);
  }

  async function ok(operation: string, payload: Record<string, unknown>): Promise<unknown> {
    const answer = await send(`/${operation}`, packet(payload));
    expect(answer.reply, JSON.stringify(answer.reply.error)).toEqual({ status_code: 200, response_message: answer.reply.response_message });
    checkTransport(answer, 200);
    return answer.reply.response_message;
  }

  async function fails(operation: string, payload: Record<string, unknown>, code: string): Promise<string> {
    const answer = await send(`/${operation}`, packet(payload));
    expect(answer.reply).toEqual({ status_code: 500, response_message: rdmErrorText(`/${operation}`), error: { code, message: expect.any(String) } });
    checkTransport(answer, 500);
    return answer.reply.error?.message ?? '';
  }

  it('answers every operation with the shape RDM gave', async () => {
    const table = uniqueTable('rdm');
    expect(await ok('create_table', { table })).toEqual({ tables_created: 1 });
    expect(await ok('get_all', { table })).toEqual([]);

    const alien = { id: 'm1', title: 'Alien', year: 1979, cast: { lead: 'Weaver', crew: 7 }, tags: ['scifi'] };
    expect(await ok('insert', { table, data: alien })).toEqual({ deleted: 0, errors: 0, inserted: 1, replaced: 0, skipped: 0, unchanged: 0 });
    const many = (await ok('insert', { table, data: [{ title: 'Heat', races: 1 }, { title: 'Ran', races: 2, ok: true }] })) as Record<string, unknown>;
    expect(Object.keys(many)).toEqual(['deleted', 'errors', 'generated_keys', 'inserted', 'replaced', 'skipped', 'unchanged']);
    expect(many).toMatchObject({ inserted: 2, errors: 0, replaced: 0 });
    const [heatId, ranId] = many.generated_keys as string[];
    const heat = { id: heatId, title: 'Heat', races: 1 };
    const ran = { id: ranId, title: 'Ran', races: 2, ok: true };

    expect(await ok('get', { table, identifier: 'm1' })).toEqual(alien);
    const all = (await ok('get_all', { table })) as { id: string }[];
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining([alien, heat, ran]));

    expect(await ok('filter', { table, filter: '{"races": 1}' })).toEqual([heat]);
    expect(await ok('filter', { table, filter: "{'races': 2, 'ok': True}" })).toEqual([ran]);
    expect(await ok('filter', { table, filter: { cast: { lead: 'Weaver' } } })).toEqual([alien]);
    expect(await ok('filter', { table, filter: "{u'year': 1979, 'tags': ['scifi'], 'cast': {}}" })).toEqual([alien]);
    expect(await ok('filter', { table, filter: '{"races": 3}' })).toEqual([]);

    expect(await ok('update', { table, identifier: 'm1', data: { year: 1980, cast: { director: 'Scott' } } })).toEqual({
      objects_updated: 1,
      changes: [{ new_val: { ...alien, year: 1980, cast: { lead: 'Weaver', crew: 7, director: 'Scott' } }, old_val: alien }],
    });
    expect(await ok('delete', { table, identifier: heatId })).toEqual({ objects_deleted: 1 });
    expect(await ok('delete_all', { table })).toEqual({ objects_deleted: 2 });
    expect(await ok('get_all', { table })).toEqual([]);
  });

  it('answers every failure of the reference with the 500 reply, and writes nothing', async () => {
    const table = uniqueTable('rdm');
    const empty = uniqueTable('rdm');
    await ok('create_table', { table });
    await ok('create_table', { table: empty });
    await ok('insert', { table, data: { id: 'a', v: 1 } });

    expect(await fails('insert', { table, data: { id: 'a', v: 2 } }, 'CONFLICT')).toContain('"a"');
    await fails('insert', { table, data: [{ id: 'b' }, { id: 'a' }] }, 'CONFLICT');
    await fails('get', { table, identifier: 'b' }, 'NOT_FOUND');
    expect(await fails('insert', { table: 'missing_tbl', data: { v: 1 } }, 'NOT_FOUND')).toContain('missing_tbl');
    expect(await fails('insert', { database: 'nowhere', table, data: { v: 1 } }, 'NOT_FOUND')).toContain('nowhere');

    expect(await fails('get', { table, identifier: 'zz' }, 'NOT_FOUND')).toContain('"zz"');
    await fails('get', { table: 'missing_tbl', identifier: 'a' }, 'NOT_FOUND');
    await fails('get_all', { table: 'missing_tbl' }, 'NOT_FOUND');
    await fails('get_all', { database: 'nowhere', table }, 'NOT_FOUND');

    expect(await fails('filter', { table, filter: "{'races': }" }, 'BAD_USER_INPUT')).toContain('Python literal');
    await fails('filter', { table, filter: "__import__('os').system('touch /tmp/pwned')" }, 'BAD_USER_INPUT');
    await fails('filter', { table: 'missing_tbl', filter: '{}' }, 'NOT_FOUND');

    await fails('update', { table, identifier: 'zz', data: { v: 2 } }, 'NOT_FOUND');
    expect(await fails('update', { table, identifier: 'a', data: { v: 1 } }, 'BAD_USER_INPUT')).toContain('unchanged');
    await fails('update', { database: 'nowhere', table, identifier: 'a', data: { v: 2 } }, 'NOT_FOUND');

    await fails('delete', { table, identifier: 'zz' }, 'NOT_FOUND');
    expect(await fails('delete_all', { table: empty }, 'NOT_FOUND')).toContain('empty');
    await fails('delete_all', { table: 'missing_tbl' }, 'NOT_FOUND');

    expect(await fails('create_table', { table }, 'CONFLICT')).toContain(table);
    await fails('create_table', { database: 'nowhere', table: uniqueTable('rdm') }, 'NOT_FOUND');
    expect(await fails('create_table', { table: '1abc' }, 'BAD_USER_INPUT')).toContain('1abc');
    await fails('create_table', { table: 'bad-name' }, 'BAD_USER_INPUT');

    expect(await ok('get_all', { table })).toEqual([{ id: 'a', v: 1 }]);
    const tables = await gw.ok<{ tables: { name: string }[] }>('{ tables { name } }');
    expect(tables.tables.map((t) => t.name)).not.toContain('1abc');
  });
});

describe('reply text', () => {
  it('is what Python json.dumps printed: spaced separators, non-ASCII escaped', async () => {
    const send = rdmVia(gw, 'legacy', sockets);
    const table = uniqueTable('rdm');
    await send('/create_table', packet({ table }));
    await send('/insert', packet({ table, data: { id: 'x', title: 'Amélie 🎬', n: 1.5, big: 1e-7 } }));
    const { text } = await send('/get', packet({ table, identifier: 'x' }));
    // Key order inside the document is the database's; the envelope's and the separators are Python's.
    expect(text?.startsWith('{"status_code": 200, "response_message": {"')).toBe(true);
    expect(text).toContain('"title": "Am\\u00e9lie \\ud83c\\udfac"');
    expect(text).toContain('"big": 1e-07');
    expect(JSON.parse(text ?? '')).toEqual({ status_code: 200, response_message: { id: 'x', title: 'Amélie 🎬', n: 1.5, big: 1e-7 } });
  });

  it('keeps numeric document keys reachable through a numeric identifier', async () => {
    const send = rdmVia(gw, 'http', sockets);
    const table = uniqueTable('rdm');
    await send('/create_table', packet({ table }));
    await send('/insert', packet({ table, data: [{ id: 7, n: 'seven' }] }));
    expect((await send('/get', packet({ table, identifier: 7 }))).reply.response_message).toEqual({ id: 7, n: 'seven' });
    expect((await send('/get', packet({ table, identifier: '7' }))).reply.response_message).toEqual({ id: 7, n: 'seven' });
  });
});
