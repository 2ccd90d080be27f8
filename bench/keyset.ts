import { r } from 'rethinkdb-ts';
import type { Document, OrderBy } from '../src/db/index.js';
import { encodeCursor } from '../src/services/cursors.js';
import { connectRaw, gql, type BenchDatabase, type Row, timed } from './support.js';

/** Sizes of the keyset section: rows seeded, page size, which page, repeats per figure. */
export interface KeysetSizes {
  rows: number;
  pageSize: number;
  page: number;
  repeats: number;
}

const TABLE = 'pages';

/** Seeds `db.pages` with `rows` documents in batches of 10,000 (one insert each), then an index on score. */
async function seedPages(db: BenchDatabase, dbName: string, rows: number): Promise<number> {
  const t0 = performance.now();
  const conn = await connectRaw(db);
  if ((await r.db(dbName).tableList().run(conn)).includes(TABLE)) await r.db(dbName).tableDrop(TABLE).run(conn);
  await r.db(dbName).tableCreate(TABLE).run(conn);
  if (db.real) await r.db(dbName).table(TABLE).wait().run(conn);
  for (let start = 0; start < rows; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, rows - start) }, (_, j) => {
      const i = start + j;
      return { id: `r${String(i).padStart(6, '0')}`, score: (i * 7919) % 1000, name: `row ${i}` };
    });
    await r.db(dbName).table(TABLE).insert(batch).run(conn);
  }
  await r.db(dbName).table(TABLE).indexCreate('score').run(conn);
  await r.db(dbName).table(TABLE).indexWait('score').run(conn);
  await conn.close();
  return performance.now() - t0;
}

/**
 * Section 8: page `page` of `pageSize` rows, by offset and by cursor, over `rows` documents, in
 * primary-key order and by an indexed score with ties (100 rows per value). The cursor is the
 * one of the last row of the page before; both ways are checked to give the same rows.
 */
export async function measureKeyset(db: BenchDatabase, url: string, dbName: string, sizes: KeysetSizes): Promise<{ rows: Row[]; seedMs: number }> {
  const seedMs = await seedPages(db, dbName, sizes.rows);
  const offset = (sizes.page - 1) * sizes.pageSize;
  const out: Row[] = [];
  const orders: OrderBy[][] = [[], [{ field: 'score', direction: 'DESC' }]];
  for (const orderBy of orders) {
    const label = orderBy.length === 0 ? 'primary key' : 'score DESC (indexed, ties)';
    const vars = { o: orderBy };
    // The cursor a client paging along would hold: the one of the last row of the page before
    // (made here with the gateway's own encoder rather than by walking 199 pages).
    const last = (await gql(url, `query($o: [OrderByInput!]) { query(db: "${dbName}", table: "${TABLE}", orderBy: $o, limit: 1, offset: ${offset - 1}) }`, vars)) as { query: Document[] };
    const after = encodeCursor({ db: dbName, table: TABLE, orderBy }, 'id', last.query[0] ?? {});
    const byOffset = `query($o: [OrderByInput!]) { query(db: "${dbName}", table: "${TABLE}", orderBy: $o, limit: ${sizes.pageSize}, offset: ${offset}) }`;
    const byCursor = `query($o: [OrderByInput!], $a: String) { query(db: "${dbName}", table: "${TABLE}", orderBy: $o, first: ${sizes.pageSize}, after: $a) }`;
    const ids = (data: Record<string, unknown>) => (data.query as { id: string }[]).map((doc) => doc.id).join();
    const same = ids(await gql(url, byOffset, vars)) === ids(await gql(url, byCursor, { ...vars, a: after }));
    const offsetTimes = await timed(sizes.repeats, () => gql(url, byOffset, vars));
    const cursorTimes = await timed(sizes.repeats, () => gql(url, byCursor, { ...vars, a: after }));
    const row = (way: string, times: { p50: number; p99: number }): Row => ({
      order: label,
      [`page ${sizes.page} of ${sizes.pageSize}`]: way,
      'p50 ms': times.p50,
      'p99 ms': times.p99,
      'offset / this (p50)': offsetTimes.p50 / times.p50,
      'same rows': same ? 'yes' : 'NO',
    });
    out.push(row(`offset ${offset}`, offsetTimes), row('cursor (after)', cursorTimes));
  }
  return { rows: out, seedMs };
}
