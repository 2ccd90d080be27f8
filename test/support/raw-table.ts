import { r, type Connection } from 'rethinkdb-ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/db/embedded.js';
import { realServer, uniqueDatabase } from './gateway.js';

/** A table of the suite's backend, reached with the driver itself (no gateway). */
export interface RawTable {
  readonly conn: Connection;
  readonly db: string;
  /** Drops the database (on a real server), closes the connection and stops the embedded server. */
  close(): Promise<void>;
}

/**
 * Creates database `name` (on a real server: one of this file's own) with `table` holding
 * `docs`, on the suite's backend: RETHINKDB_URL's server, else a fresh embedded reqlite.
 */
export async function openRawTable(name: string, table: string, docs: readonly object[]): Promise<RawTable> {
  let server: EmbeddedServer | undefined;
  const target = realServer ?? (server = await startEmbeddedServer());
  const db = realServer ? uniqueDatabase() : name;
  const conn = await r.connect({ server: { host: target.host, port: target.port, noDelay: true }, user: target.user, password: target.password, silent: true });
  await r.dbCreate(db).run(conn);
  await r.db(db).tableCreate(table).run(conn);
  if (realServer) await r.db(db).table(table).wait().run(conn);
  await r.db(db).table(table).insert([...docs]).run(conn);
  return {
    conn,
    db,
    async close() {
      if (realServer) await r.dbDrop(db).run(conn);
      await conn.close();
      await server?.stop();
    },
  };
}
