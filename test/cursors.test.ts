import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentComparator } from '../src/filter/order.js';
import { realServer, startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';

type Doc = Record<string, unknown>;
type Order = { field: string; direction?: 'ASC' | 'DESC' }[];
interface Connection {
  edges: { cursor: string; node: Doc }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}

// Sort values with many ties (pages end inside a tie), missing, null, strings and nested values.
const docs: Doc[] = Array.from({ length: 60 }, (_, i) => {
  const doc: Doc = { id: `p${String(i).padStart(2, '0')}`, n: i };
  if (i % 7 !== 3) doc.score = i % 11 === 5 ? null : i % 13 === 4 ? `s${i % 3}` : (i * 7) % 5;
  if (i % 4 !== 1) doc.team = i % 9 === 2 ? 'solo' : { name: ['red', 'blue', null][i % 3] };
  return doc;
});
const comparator = (orderBy: Order) => documentComparator(orderBy.map(({ field, direction }) => ({ path: field.split('.'), descending: direction === 'DESC' })), 'id');
const ids = (rows: readonly Doc[]) => rows.map((doc) => doc.id);

const CONNECTION = `query($t: String!, $w: JSONObject, $o: [OrderByInput!], $first: Int, $after: String, $last: Int, $before: String) {
  queryConnection(table: $t, where: $w, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount
  }
}`;

describe('keyset pages (generic query and queryConnection)', () => {
  let gw: TestGateway;
  let table: string;
  const page = async (variables: Record<string, unknown>) => (await gw.ok<{ queryConnection: Connection }>(CONNECTION, { t: table, ...variables })).queryConnection;
  beforeAll(async () => {
    gw = await startTestGateway();
    table = uniqueTable('cursors');
    await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { createTable(table: $t) { name } insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
    await gw.ok(`mutation($t: String!) { createIndex(table: $t, field: "score") { name } }`, { t: table });
  });
  afterAll(() => gw?.close());

  const orders: Order[] = [[], [{ field: 'score' }], [{ field: 'score', direction: 'DESC' }], [{ field: 'team.name' }, { field: 'score', direction: 'DESC' }], [{ field: 'n', direction: 'DESC' }]];
  it.each(orders.map((o) => [JSON.stringify(o), o] as const))('walks %s forwards and backwards, every row once, in order', async (_name, orderBy) => {
    const expected = ids([...docs].sort(comparator(orderBy)));
    const forwards: unknown[] = [];
    let after: string | null = null;
    for (let fetched = 0; fetched < 20; fetched++) {
      const one: Connection = await page({ o: orderBy, first: 7, after });
      forwards.push(...ids(one.edges.map((edge) => edge.node)));
      expect(one.totalCount).toBe(60);
      expect(one.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(one.pageInfo.endCursor).toBe(one.edges.at(-1)?.cursor ?? null);
      // The plain list takes the same cursor and gives the same rows.
      const plain = await gw.ok<{ query: Doc[] }>('query($t: String!, $o: [OrderByInput!], $a: String) { query(table: $t, orderBy: $o, first: 7, after: $a) }', { t: table, o: orderBy, a: after });
      expect(ids(plain.query)).toEqual(ids(one.edges.map((edge) => edge.node)));
      if (!one.pageInfo.hasNextPage) break;
      after = one.pageInfo.endCursor;
    }
    expect(forwards).toEqual(expected);
    const backwards: unknown[] = [];
    let before: string | null = null;
    for (let fetched = 0; fetched < 20; fetched++) {
      const one: Connection = await page({ o: orderBy, last: 9, before });
      backwards.unshift(...ids(one.edges.map((edge) => edge.node)));
      expect(one.pageInfo.hasNextPage).toBe(before !== null);
      if (!one.pageInfo.hasPreviousPage) break;
      before = one.pageInfo.startCursor;
    }
    expect(backwards).toEqual(expected);
  });

  it('pages a filtered order from a cursor exactly as the full order says', async () => {
    const where = { score: { gte: 1 } };
    const orderBy: Order = [{ field: 'score', direction: 'DESC' }];
    const all = docs.filter((doc) => typeof doc.score === 'number' && doc.score >= 1).sort(comparator(orderBy));
    const first = await page({ w: where, o: orderBy, first: 5 });
    const second = await page({ w: where, o: orderBy, first: 5, after: first.pageInfo.endCursor });
    expect(ids([...first.edges, ...second.edges].map((edge) => edge.node))).toEqual(ids(all.slice(0, 10)));
    expect(second.totalCount).toBe(all.length);
  });

  it('reads a page past a cursor by index on RethinkDB (between on the primary or the field index), by a scan on reqlite', async () => {
    const info = await gw.app.data.catalog.table(gw.dbs.default, table);
    const select = (orderBy: Order, after: unknown[], where?: Doc) => gw.app.data.documents.select(info, where, orderBy, 0, 10, { after });
    expect((await select([], ['p10'])).plan).toBe(realServer ? 'primary-order' : 'scan');
    expect((await select([{ field: 'score', direction: 'DESC' }], [3, 'p10'])).plan).toBe(realServer ? 'index-cursor' : 'scan');
    expect((await select([{ field: 'score' }], [1, 'p10'], { score: { gt: 0 } })).plan).toBe(realServer ? 'index-order' : 'scan');
    // A position at a non-number (here null) is past the index's numbers: a scan.
    expect((await select([{ field: 'score' }], [null, 'p10'])).plan).toBe('scan');
  });

  it('refuses a damaged or foreign cursor, and arguments that do not go together, naming the argument', async () => {
    const { pageInfo } = await page({ o: [{ field: 'score' }], first: 2 });
    const cursor = pageInfo.endCursor as string;
    const refusal = async (variables: Record<string, unknown>, query = CONNECTION) => {
      const result = await gw.gql(query, { t: table, ...variables });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      return result.errors?.[0]?.message ?? '';
    };
    expect(await refusal({ o: [{ field: 'score' }], after: 'not a cursor!' })).toMatch(/^after: not a cursor/);
    expect(await refusal({ o: [{ field: 'score' }], after: `${cursor.slice(0, -4)}AAAA` })).toMatch(/^after: /);
    expect(await refusal({ o: [{ field: 'score', direction: 'DESC' }], after: cursor })).toMatch(/^after: the cursor was made for another orderBy/);
    const other = uniqueTable('other');
    await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: other });
    expect(await refusal({ o: [{ field: 'score' }], before: cursor, t: other })).toMatch(/^before: the cursor belongs to another table/);
    const forged = Buffer.from(JSON.stringify({ v: 1, t: [gw.dbs.default, table], o: [['score', 'A']], k: [{ $reql_type$: 'BINARY', data: '' }, 'p1'] })).toString('base64url');
    expect(await refusal({ o: [{ field: 'score' }], after: forged })).toMatch(/^after: the cursor is damaged/);
    const plain = 'query($t: String!, $a: String, $off: Int, $f: Int, $l: Int) { query(table: $t, orderBy: [{ field: "score" }], after: $a, offset: $off, first: $f, limit: $l) }';
    expect(await refusal({ a: cursor, off: 5 }, plain)).toMatch(/offset cannot be combined with after or before/);
    expect(await refusal({ f: 5, l: 5 }, plain)).toMatch(/give one of first, limit/);
    expect(await refusal({ first: 2, last: 2 })).toMatch(/give one of first, last/);
    expect(await refusal({ o: [{ field: 'score' }], first: 2, before: cursor })).toMatch(/do not mix them/);
    expect(await refusal({ first: -1 })).toMatch(/first must be a non-negative integer/);
  });
});

// Rows inserted and deleted between page fetches: a row present from the first page to the last
// is returned exactly once, and no row twice. On RethinkDB the order by `g` runs on its index
// past a numeric cursor (falling back to the scan for the null and missing `g` beyond).
describe('keyset pages under concurrent inserts and deletes (property, fixed seed)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  const value = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(null));
  const step = fc.record({ inserts: fc.array(value, { maxLength: 4 }), deletes: fc.array(fc.nat(), { maxLength: 3 }), size: fc.integer({ min: 1, max: 6 }) });
  const orderBy = fc.constantFrom<Order>([], [{ field: 'g', direction: 'DESC' }], [{ field: 'g' }]);

  it('never skips a row that existed throughout, nor repeats one', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 5, maxLength: 25 }), fc.array(step, { minLength: 1, maxLength: 12 }), orderBy, fc.boolean(), async (seed, steps, order, backward) => {
        const table = `${uniqueTable('keyset')}_${run++}`;
        let next = 0;
        const row = (g: number | null) => ({ id: `r${String(next++).padStart(3, '0')}`, ...(g === null && next % 2 === 0 ? {} : { g }) });
        const initial = seed.map(row);
        await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { createTable(table: $t) { name } insert(table: $t, documents: $d) { inserted } }`, { t: table, d: initial });
        await gw.ok(`mutation($t: String!) { createIndex(table: $t, field: "g") { name } }`, { t: table });
        const alive = new Set(initial.map((doc) => doc.id));
        const deleted = new Set<string>();
        const seen: string[] = [];
        const sorted = comparator(order);
        let cursor: string | null = null;
        for (const { inserts, deletes, size } of [...steps, ...Array.from({ length: 40 }, () => ({ inserts: [], deletes: [], size: 6 }))]) {
          const variables: Record<string, unknown> = { t: table, o: order, ...(backward ? { last: size, before: cursor } : { first: size, after: cursor }) };
          const one: Connection = (await gw.ok<{ queryConnection: Connection }>(CONNECTION, variables)).queryConnection;
          const nodes = one.edges.map((edge) => edge.node);
          // Each page is in order.
          expect(ids([...nodes].sort(sorted))).toEqual(ids(nodes));
          seen.push(...(backward ? [...nodes].reverse() : nodes).map((doc) => doc.id as string));
          if (!(backward ? one.pageInfo.hasPreviousPage : one.pageInfo.hasNextPage)) break;
          cursor = backward ? one.pageInfo.startCursor : one.pageInfo.endCursor;
          const living = [...alive];
          const gone = [...new Set(deletes.map((i) => living[i % Math.max(living.length, 1)]).filter((id): id is string => id !== undefined))];
          const added = inserts.map(row);
          if (added.length > 0) await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: added });
          for (const id of gone) await gw.ok(`mutation($t: String!, $id: ID!) { delete(table: $t, id: $id) }`, { t: table, id });
          for (const doc of added) alive.add(doc.id);
          for (const id of gone) {
            alive.delete(id);
            deleted.add(id);
          }
        }
        expect(new Set(seen).size).toBe(seen.length);
        const throughout = initial.map((doc) => doc.id).filter((id) => !deleted.has(id));
        expect(throughout.filter((id) => !seen.includes(id))).toEqual([]);
        await gw.ok(`mutation($t: String!) { dropTable(table: $t) { name } }`, { t: table });
      }),
      { numRuns: 12, seed: 20261130 },
    );
    // Twelve tables, each created and indexed: seconds on RethinkDB, more on a loaded machine.
  }, 120_000);
});
