import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loaders } from '../src/db/loaders.js';
import type { Documents } from '../src/db/documents.js';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';

describe('DataLoader batching through the gateway', () => {
  let gw: TestGateway;
  let table: string;
  let other: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    table = uniqueTable('batch');
    other = uniqueTable('other');
    for (const t of [table, other]) {
      await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t });
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, i }));
      await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t, d: docs });
    }
  });
  afterAll(() => gw?.close());

  /** Runs a query and returns how many queries the data layer sent for it. */
  async function queriesFor(query: string): Promise<{ sent: number; data: Record<string, unknown> }> {
    await gw.ok(`{ a: count(table: "${table}") b: count(table: "${other}") }`); // names are cached after this
    const before = gw.app.data.pool.queryCount;
    const data = await gw.ok(query);
    return { sent: gw.app.data.pool.queryCount - before, data };
  }

  it('answers 50 document fields on one table with ONE database query', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `f${i}: document(table: "${table}", id: "d${49 - i}")`).join('\n');
    const { sent, data } = await queriesFor(`{ ${fields} }`);
    expect(sent).toBe(1);
    expect(Object.keys(data)).toHaveLength(50);
    expect(data.f0).toEqual({ id: 'd49', i: 49 });
    expect(data.f49).toEqual({ id: 'd0', i: 0 });
  });

  it('makes one query per table, and merges document and documents fields', async () => {
    const { sent, data } = await queriesFor(`{
      a: document(table: "${table}", id: "d1")
      b: documents(table: "${table}", ids: ["d2", "missing", "d1"])
      c: document(table: "${other}", id: "d3")
      d: documents(table: "${other}", ids: ["d4"])
    }`);
    expect(sent).toBe(2);
    expect(data).toEqual({
      a: { id: 'd1', i: 1 },
      b: [{ id: 'd2', i: 2 }, null, { id: 'd1', i: 1 }],
      c: { id: 'd3', i: 3 },
      d: [{ id: 'd4', i: 4 }],
    });
  });

  it('reads the gets of requests handled in one turn with ONE query per table, each request getting its own', async () => {
    await queriesFor('{ __typename }');
    const data = gw.app.data;
    const before = data.pool.queryCount;
    // Three requests' loaders asking in the same turn, as concurrent HTTP requests do under load.
    const [one, two, three, elsewhere] = await Promise.all([
      data.createLoaders().documentsOf(gw.dbs.default, table).loadMany(['d1', 'missing']),
      data.createLoaders().documentsOf(gw.dbs.default, table).load('d2'),
      data.createLoaders().documentsOf(gw.dbs.default, table).loadMany(['d1', 'd3']),
      data.createLoaders().documentsOf(gw.dbs.default, other).load('d4'),
    ]);
    expect(data.pool.queryCount - before).toBe(2);
    expect(one).toEqual([{ id: 'd1', i: 1 }, null]);
    expect(two).toEqual({ id: 'd2', i: 2 });
    expect(three).toEqual([{ id: 'd1', i: 1 }, { id: 'd3', i: 3 }]);
    expect(elsewhere).toEqual({ id: 'd4', i: 4 });
    // A batch failing fails each of its readers, and the next turn reads afresh.
    const gone = data.createLoaders().documentsOf(gw.dbs.default, 'no_such_table').load('x');
    await expect(gone).rejects.toThrow(/no_such_table/);
    expect(await data.createLoaders().documentsOf(gw.dbs.default, table).load('d2')).toEqual({ id: 'd2', i: 2 });
  });

  it('does not share its cache between requests', async () => {
    await gw.ok(`{ document(table: "${table}", id: "d5") }`);
    await gw.ok(`mutation { update(table: "${table}", id: "d5", patch: { i: 500 }) }`);
    const { sent, data } = await queriesFor(`{ document(table: "${table}", id: "d5") }`);
    expect(sent).toBe(1);
    expect(data.document).toEqual({ id: 'd5', i: 500 });
  });
});

describe('Loaders (unit)', () => {
  function stubDocuments() {
    const calls: string[][] = [];
    const documents = {
      getMany: async (_db: string, _table: string, ids: readonly string[]) => {
        calls.push([...ids]);
        return ids.map((id) => (id === 'none' ? null : { id, v: 'from db' }));
      },
    } as unknown as Documents;
    return { calls, loaders: new Loaders(documents) };
  }

  it('serves a primed document after a write without asking the database', async () => {
    const { calls, loaders } = stubDocuments();
    expect(await loaders.documentsOf('db', 't').load('a')).toEqual({ id: 'a', v: 'from db' });
    loaders.prime('db', 't', 'a', { id: 'a', v: 'written' });
    expect(await loaders.documentsOf('db', 't').load('a')).toEqual({ id: 'a', v: 'written' });
    loaders.prime('db', 't', 'a', null);
    expect(await loaders.documentsOf('db', 't').load('a')).toBeNull();
    expect(calls).toEqual([['a']]);
  });

  it('forgets a table after a write that touched unknown ids, and keeps tables apart', async () => {
    const { calls, loaders } = stubDocuments();
    await Promise.all([loaders.documentsOf('db', 't').load('a'), loaders.documentsOf('db', 'u').load('a')]);
    loaders.clearTable('db', 't');
    await loaders.documentsOf('db', 't').load('a');
    await loaders.documentsOf('db', 'u').load('a');
    expect(calls).toEqual([['a'], ['a'], ['a']]);
  });
});
