import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { r, type Connection } from 'rethinkdb-ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/db/embedded.js';
import { describeQuery } from '../src/db/query-shape.js';
import { AllRows } from '../src/db/terms.js';
import { realServer, uniqueDatabase } from './support/gateway.js';

// AllRows reads a sequence's first batch and stops there when the server says it is the last; a
// sequence of several batches (maxBatchRows) is read on through the cursor. On the suite's backend;
// reqlite sends every sequence in one batch (it ignores maxBatchRows), so there only RethinkDB
// checks the several-batch path (checked: returning the first batch alone fails it there).
describe('AllRows', () => {
  let server: EmbeddedServer | undefined;
  let conn: Connection;
  const db = realServer ? uniqueDatabase() : 'terms';
  const table = r.db(db).table('rows');
  const docs = Array.from({ length: 25 }, (_, i) => ({ id: `k${String(i).padStart(2, '0')}`, n: i }));

  beforeAll(async () => {
    const target = realServer ?? (server = await startEmbeddedServer());
    const credential = server ? { user: server.user, password: server.password } : { user: target.user, password: target.password };
    conn = await r.connect({ server: { host: target.host, port: target.port }, ...credential, silent: true });
    await r.dbCreate(db).run(conn);
    await r.db(db).tableCreate('rows').run(conn);
    if (realServer) await table.wait().run(conn);
    await table.insert(docs).run(conn);
  });

  afterAll(async () => {
    if (realServer) await r.dbDrop(db).run(conn);
    await conn?.close();
    await server?.stop();
  });

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

  it('is described for tracing like the term it runs', () => {
    expect(describeQuery(new AllRows(ordered().limit(1)))).toEqual({ term: 'LIMIT', db, table: 'rows' });
  });
});
