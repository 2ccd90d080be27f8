import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { r, type Connection, type RTable } from 'rethinkdb-ts';
import { describeQuery } from '../src/db/query-shape.js';
import { AllRows, InsertDocuments } from '../src/db/terms.js';
import { openRawTable, type RawTable } from './support/raw-table.js';

// AllRows reads a sequence's first batch and stops there when the server says it is the last; a
// sequence of several batches (maxBatchRows) is read on through the cursor. On the suite's backend;
// reqlite sends every sequence in one batch (it ignores maxBatchRows), so there only RethinkDB
// checks the several-batch path (checked: returning the first batch alone fails it there).
describe('AllRows', () => {
  const docs = Array.from({ length: 25 }, (_, i) => ({ id: `k${String(i).padStart(2, '0')}`, n: i }));
  let raw: RawTable;
  let conn: Connection;
  let db: string;
  let table: RTable;

  beforeAll(async () => {
    raw = await openRawTable('terms', 'rows', docs);
    ({ conn, db } = raw);
    table = r.db(db).table('rows');
  });

  afterAll(() => raw?.close());

  const ordered = () => table.orderBy({ index: 'id' });

  it('returns every row of a sequence in one batch, as run does', async () => {
    expect(await new AllRows(ordered().limit(10)).run(conn)).toEqual(docs.slice(0, 10));
    expect(await new AllRows(ordered().filter({ n: 99 })).run(conn)).toEqual([]);
  });

  it('reads a sequence of several batches to its end', async () => {
    const rows = await new AllRows(ordered()).run(conn, { maxBatchRows: 4 });
    expect(rows).toEqual(docs);
  });

  it('returns an array value (an atom) as it is', async () => {
    expect(await new AllRows(ordered().limit(3).coerceTo('array')).run(conn)).toEqual(docs.slice(0, 3));
  });

  it('inserts plain JSON documents as they are: nested arrays and objects, text', async () => {
    const written = [
      { id: 'i1', list: [1, [2, [3]], { a: [] }], nested: { deep: { deeper: [null, true, 'x'] } } },
      { id: 'i2', text: 'Zoë 😀 \u0000', quote: '"\\' },
      { id: 'i3', empty: {}, zero: 0, big: 1e300 },
    ];
    const result = await new InsertDocuments(db, 'rows', written, { conflict: 'error' }).run(conn);
    expect(result.inserted).toBe(3);
    // Key order aside (the database sorts keys), the stored documents are the written ones.
    const canonical = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(canonical) : value && typeof value === 'object' ? Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, item]) => [key, canonical(item)]) : value;
    const stored = await table.getAll('i1', 'i2', 'i3').orderBy('id').run(conn);
    expect(canonical(stored)).toEqual(canonical(written));
  });

  it('sends what is not plain JSON through the query builder (a Date is stored as a time)', async () => {
    const at = new Date('2026-11-30T10:00:00Z');
    const result = await new InsertDocuments(db, 'rows', [{ id: 'i4', at }], { conflict: 'error', returnChanges: 'always' }).run(conn);
    expect(result.changes?.[0]?.new_val).toEqual({ id: 'i4', at });
    expect(await table.get('i4')('at').typeOf().run(conn)).toBe('PTYPE<TIME>');
  });

  it('reports a conflict as the database does, inserting the rest', async () => {
    const result = await new InsertDocuments(db, 'rows', [{ id: 'k00' }, { id: 'i5' }], { conflict: 'error' }).run(conn);
    expect(result).toMatchObject({ inserted: 1, errors: 1 });
    expect(await table.get('i5').run(conn)).toEqual({ id: 'i5' });
  });

  it('is described for tracing like the term it runs', () => {
    expect(describeQuery(new InsertDocuments(db, 'rows', [{}], { conflict: 'error' }))).toEqual({ term: 'INSERT', db, table: 'rows' });
    expect(describeQuery(new AllRows(ordered().limit(1)))).toEqual({ term: 'LIMIT', db, table: 'rows' });
  });
});
