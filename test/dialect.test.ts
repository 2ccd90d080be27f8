import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexedPath } from '../src/db/field-indexes.js';
import { openDataLayer, startEmbeddedServer, type EmbeddedServer } from '../src/db/index.js';
import { inKeyOrder } from '../src/db/turn-reads.js';
import { matchesWhere } from '../src/filter/evaluate.js';
import { documentComparator } from '../src/filter/order.js';
import { parseWhere } from '../src/filter/parse.js';
import { createLogger } from '../src/observability/logger.js';
import { realServer, startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';

type Doc = Record<string, unknown>;

describe('inKeyOrder', () => {
  it('returns documents in key order, null for missing keys, the string key before its numeric twin', () => {
    const found = new Map<unknown, Doc>([{ id: 2, v: 'two' }, { id: 'b' }, { id: '2', v: 'text' }, { id: 'a' }].map((doc) => [doc.id, doc]));
    const candidates = (id: string) => (id === '2' ? ['2', 2] : id === '3' ? ['3', 3] : [id]);
    expect(inKeyOrder(['b', 'missing', 'a', '2', '3', 'a'].map(candidates), found)).toEqual([{ id: 'b' }, null, { id: 'a' }, { id: '2', v: 'text' }, null, { id: 'a' }]);
  });
});

describe('indexedPath', () => {
  it('reads the field of plain and gateway-made index functions, and nothing else', () => {
    expect(indexedPath(`indexCreate('s', function(_var19) { return _var19.getField("s"); })`)).toEqual(['s']);
    expect(indexedPath(`indexCreate('n', function(var1) { return var1("a")("b"); })`)).toEqual(['a', 'b']);
    expect(indexedPath(`indexCreate('m', function(var1) { return r.row("m"); })`)).toEqual(['m']);
    const made = `indexCreate('a_b', function(var1) { return var1.do(function (var2) {\n return r.branch(var2.hasFields("a"), var2("a"), null);\n })\n.do(function (var2) {\n return r.branch(r.eq(var2.typeOf(), "OBJECT"),\n r.branch(var2.hasFields("b"), var2("b"), null),\n null);\n }); })`;
    expect(indexedPath(made)).toEqual(['a', 'b']);
    expect(indexedPath(`indexCreate('x', function(var1) { return var1("a").mul(2); })`)).toBeUndefined();
    expect(indexedPath(`indexCreate('m', function(var1) { return r.row("m"); }, {multi: true})`)).toBeUndefined();
    expect(indexedPath(made.replace('"b"), null)', '"c"), null)'))).toBeUndefined();
  });
});

describe('backend detection', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startEmbeddedServer();
  });
  afterAll(() => server?.stop());

  it('detects a reqlite given as an external server (RETHINKDB_URL may point anywhere)', async () => {
    const data = openDataLayer({ target: { kind: 'external', host: server.host, port: server.port, user: server.user, password: server.password }, poolSize: 1, dbWaitMs: 5000, log: createLogger('silent'), defaultLimit: 10, maxLimit: 100 });
    try {
      expect((await data.dialect.dialect()).name).toBe('reqlite');
    } finally {
      await data.close();
    }
  });
});

// Scores with many ties (so pages end inside a tie), missing, null, strings and nested values.
const docs: Doc[] = Array.from({ length: 60 }, (_, i) => {
  const doc: Doc = { id: `p${String(i).padStart(2, '0')}`, n: i };
  if (i % 7 !== 3) doc.score = i % 11 === 5 ? null : i % 13 === 4 ? `s${i % 3}` : (i * 7) % 5;
  if (i % 4 !== 1) doc.team = i % 9 === 2 ? 'solo' : i % 10 === 6 ? [{ name: 'red' }] : { name: ['red', 'blue', null][i % 3] };
  if (i % 5 === 0) doc.rank = i % 3;
  return doc;
});

describe('list plans give the rows of a full scan', () => {
  let gw: TestGateway;
  let table: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    table = uniqueTable('plans');
    await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { createTable(table: $t) { name } insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
    await gw.ok(`mutation($t: String!) { a: createIndex(table: $t, field: "score") { name } b: createIndex(table: $t, field: "team.name") { name } }`, { t: table });
  });
  afterAll(() => gw?.close());

  // The order key is null on several matches in some cases: reqlite's own orderBy would order such
  // ties by primary key DESCENDING (docs/reqlite.md); its dialect sorts by `[value]` instead.
  const cases: Array<{ where?: Doc; orderBy?: { field: string; direction?: 'ASC' | 'DESC' }[]; offset?: number; limit: number; plan: string }> = [
    { limit: 7, offset: 3, plan: 'primary-order' },
    { where: { n: { gt: 10 } }, limit: 5, plan: 'primary-order' },
    { where: { score: 2 }, limit: 50, plan: 'index-getAll' },
    { where: { score: { in: [1, 's1', 3] } }, orderBy: [{ field: 'n', direction: 'DESC' }], limit: 50, plan: 'index-getAll' },
    { where: { 'team.name': 'red' }, orderBy: [{ field: 'score' }], limit: 50, plan: 'index-getAll' },
    { where: { score: { gte: 1, lt: 4 } }, limit: 50, plan: 'index-between' },
    { where: { score: { gt: 's0' } }, limit: 50, plan: 'index-between' },
    { where: { score: { gt: 0 } }, orderBy: [{ field: 'score', direction: 'DESC' }], limit: 5, plan: 'index-order' },
    { where: { score: { gt: 0 } }, orderBy: [{ field: 'score', direction: 'DESC' }], offset: 5, limit: 5, plan: 'index-order' },
    { where: { score: { lte: 3 }, 'team.name': { ne: 'blue' } }, orderBy: [{ field: 'score' }], offset: 2, limit: 9, plan: 'index-order' },
    { where: { score: { gte: 0 } }, orderBy: [{ field: 'score' }], limit: 100, plan: 'index-order' },
    { where: { score: { gte: 0 } }, orderBy: [{ field: 'score' }], limit: 0, plan: 'index-order' },
    // Only the numeric bound the index enforces (the other is the largest number): strings, null and objects stay out.
    { where: { score: { lt: 3 }, rank: { in: [0, 1] } }, orderBy: [{ field: 'score', direction: 'DESC' }], limit: 7, plan: 'index-order' },
    { where: { and: [{ score: { gt: 0, ne: 3 } }, { 'team.name': { nin: ['blue', null] } }] }, orderBy: [{ field: 'score', direction: 'DESC' }], offset: 1, limit: 6, plan: 'index-order' },
    { where: { score: { lte: 2 }, 'team.name': { ne: 'blue' } }, limit: 50, plan: 'index-between' },
    { orderBy: [{ field: 'score', direction: 'DESC' }], limit: 60, plan: 'scan' },
    { where: { score: { ne: 2 } }, orderBy: [{ field: 'team.name' }], limit: 60, plan: 'scan' },
    { where: { or: [{ score: 1 }, { rank: 0 }] }, limit: 30, plan: 'primary-order' },
  ];

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, { where, orderBy, offset = 0, limit, plan }) => {
    const data = await gw.ok<{ query: Doc[] }>(
      `query($t: String!, $w: JSONObject, $o: [OrderByInput!], $off: Int, $l: Int) { query(table: $t, where: $w, orderBy: $o, offset: $off, limit: $l) }`,
      { t: table, w: where, o: orderBy, off: offset, l: limit },
    );
    const node = parseWhere(where);
    const order = documentComparator((orderBy ?? []).map(({ field, direction }) => ({ path: field.split('.'), descending: direction === 'DESC' })), 'id');
    const expected = docs.filter((doc) => !node || matchesWhere(node, doc)).sort(order).slice(offset, offset + limit);
    const ids = (rows: Doc[]) => rows.map((doc) => doc.id as string);
    expect(ids(data.query)).toEqual(ids(expected));
    const info = await gw.app.data.catalog.table(gw.dbs.default, table);
    const chosen = await gw.app.data.documents.select(info, where, orderBy ?? [], offset, limit);
    expect(chosen.plan).toBe(realServer ? plan : 'scan');
  });

  it('reads a batch of ids in key order, with null for missing ones', async () => {
    const data = await gw.ok<{ documents: (Doc | null)[] }>(`query($t: String!) { documents(table: $t, ids: ["p09", "nope", "p01", "p09", "p00"]) }`, { t: table });
    expect(data.documents.map((doc) => doc?.id ?? null)).toEqual(['p09', null, 'p01', 'p09', 'p00']);
  });

  it('answers random filters exactly as matchesWhere does (property, fixed seed)', async () => {
    const value = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 's0', 's1', 'red', 'blue', 'solo', null, true), fc.constant([{ name: 'red' }]));
    const test = fc.oneof(
      fc.record({ eq: value }),
      fc.record({ ne: value }),
      fc.record({ in: fc.array(value, { minLength: 1, maxLength: 3 }) }),
      fc.record({ nin: fc.array(value, { minLength: 1, maxLength: 3 }) }),
      fc.record({ gt: fc.constantFrom(0, 2, 's0') }),
      fc.record({ lte: fc.constantFrom(1, 3, 's1') }),
      fc.record({ exists: fc.boolean() }),
      fc.record({ contains: fc.constantFrom('e', { name: 'red' }) }),
      fc.record({ startsWith: fc.constantFrom('r', 's') }),
    );
    const field = fc.constantFrom('score', 'team', 'team.name', 'rank', 'team.name.x');
    const where = fc.array(fc.tuple(field, test), { minLength: 1, maxLength: 3 }).map((pairs) => ({ and: pairs.map(([f, t]) => ({ [f]: t })) }));
    const orderBy = fc.option(fc.record({ field: fc.constantFrom('score', 'n', 'team.name'), direction: fc.constantFrom('ASC' as const, 'DESC' as const) }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(where, orderBy, fc.nat({ max: 20 }), fc.integer({ min: 1, max: 25 }), async (w, o, offset, limit) => {
        const data = await gw.ok<{ query: Doc[] }>(
          `query($t: String!, $w: JSONObject, $o: [OrderByInput!], $off: Int, $l: Int) { query(table: $t, where: $w, orderBy: $o, offset: $off, limit: $l) }`,
          { t: table, w, o: o ? [o] : undefined, off: offset, l: limit },
        );
        const node = parseWhere(w);
        const order = documentComparator(o ? [{ path: o.field.split('.'), descending: o.direction === 'DESC' }] : [], 'id');
        const expected = docs.filter((doc) => !node || matchesWhere(node, doc)).sort(order).slice(offset, offset + limit);
        expect(data.query.map((doc) => doc.id)).toEqual(expected.map((doc) => doc.id));
      }),
      { numRuns: 60, seed: 20261130 },
    );
  });
});
