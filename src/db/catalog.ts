import { r, type RDatum } from 'rethinkdb-ts';
import { NotFound, Unavailable } from '../errors/domain.js';
import { parseFieldPath } from '../filter/path.js';
import { checkName, SYSTEM_DB } from './names.js';
import type { ConnectionPool, Runnable } from './pool.js';
import { fieldValue } from './paths.js';

/** What the gateway knows about a table. */
export interface TableInfo {
  db: string;
  name: string;
  primaryKey: string;
  indexes: string[];
}

interface TableInfoRow {
  name: string;
  primary_key: string;
}

/**
 * Databases, tables and indexes, cached, plus the admin operations that change them.
 *
 * Why a cache: names are checked before every query so that a missing table is a clear
 * NOT_FOUND (and an unknown index never reaches reqlite, which crashes on it). A name that is
 * not in the cache is looked up again before it is declared missing, so tables created outside
 * the gateway are found; tables dropped outside it fail in the query itself, with the same error.
 */
export class Catalog {
  private readonly tables = new Map<string, Promise<Map<string, TableInfo>>>();

  /**
   * @param options.waitForTables wait for a new table to be ready before answering (default):
   * RethinkDB answers tableCreate before the table takes reads and writes. Off for the embedded
   * reqlite, whose tables are ready at once and which has no `wait` term.
   * @param options.readyTimeoutMs how long createTable waits for the new table to be ready before
   * answering UNAVAILABLE (the table exists; it becomes ready later). @default 30000
   */
  constructor(
    private readonly pool: ConnectionPool,
    private readonly options: { waitForTables?: boolean; readyTimeoutMs?: number } = {},
  ) {}

  /** Every database except the system database. */
  async databases(): Promise<string[]> {
    const names = await this.pool.read(r.dbList());
    return names.filter((name) => name !== SYSTEM_DB).sort();
  }

  /** The tables of `db`, sorted by name. Throws NotFound for a missing database. */
  async tableList(db: string): Promise<TableInfo[]> {
    const tables = await this.load(checkName('database', db), true);
    return [...tables.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The table's info; throws NotFound naming db and table when it does not exist. */
  async table(db: string, table: string): Promise<TableInfo> {
    checkName('database', db);
    checkName('table', table);
    const cached = (await this.load(db, false)).get(table);
    if (cached) return cached;
    const fresh = (await this.load(db, true)).get(table);
    if (fresh) return fresh;
    throw new NotFound(`table "${table}" does not exist in database "${db}"`, { database: db, table });
  }

  async createDatabase(db: string): Promise<void> {
    await this.pool.run(r.dbCreate(checkName('database', db)));
    await this.dropDuplicates('db_config', { name: db });
    this.tables.delete(db);
  }

  /** Creates the database unless it exists (used at start for the default database). */
  async ensureDatabase(db: string): Promise<void> {
    if (!(await this.databases()).includes(db)) {
      await this.createDatabase(db).catch(async (error: unknown) => {
        // Another gateway replica may have created it at the same moment.
        if (!(await this.databases()).includes(db)) throw error;
      });
    }
  }

  /**
   * Creates the table and answers once it takes reads and writes (see the constructor); when it
   * is not ready in time, Unavailable saying that it was created.
   */
  async createTable(db: string, table: string, primaryKey = 'id'): Promise<TableInfo> {
    checkName('database', db);
    checkName('table', table);
    checkName('primary key', primaryKey);
    try {
      await this.pool.run(r.db(db).tableCreate(table, { primaryKey }));
      await this.dropDuplicates('table_config', { db, name: table });
      if (this.options.waitForTables ?? true) {
        const timeout = (this.options.readyTimeoutMs ?? 30_000) / 1000;
        await this.untilReady(`table "${table}"`, r.db(db).table(table).wait({ waitFor: 'ready_for_writes', timeout }));
      }
    } finally {
      this.tables.delete(db);
    }
    return this.table(db, table);
  }

  async dropTable(db: string, table: string): Promise<TableInfo> {
    const info = await this.table(db, table);
    try {
      await this.pool.run(r.db(db).tableDrop(table));
    } finally {
      this.tables.delete(db);
    }
    return info;
  }

  /**
   * Creates a secondary index on a (possibly nested, dotted) field; `name` defaults to the path
   * with dots as underscores. Answers once the index is built (indexWait), so it can be used at once.
   */
  async createIndex(db: string, table: string, field: string, name?: string): Promise<TableInfo> {
    await this.table(db, table);
    const path = parseFieldPath(field);
    const indexName = checkName('index', name ?? path.join('_'));
    try {
      await this.pool.run(r.db(db).table(table).indexCreate(indexName, (row: RDatum) => fieldValue(row, path)));
      await this.untilReady(`index "${indexName}"`, r.db(db).table(table).indexWait(indexName));
    } finally {
      this.tables.delete(db);
    }
    return this.table(db, table);
  }

  /**
   * Two servers of a RethinkDB cluster both create a database or table of the same name when asked
   * at the same moment (two gateway replicas starting, each on another host); every query on the
   * name then fails as ambiguous. Each creator keeps the one with the lowest id and deletes the
   * others from the system table, so replicas converge on the same one. Real RethinkDB only
   * (`waitForTables`): reqlite is one server, without the system tables.
   */
  private async dropDuplicates(config: 'db_config' | 'table_config', match: Record<string, string>): Promise<void> {
    if (!(this.options.waitForTables ?? true)) return;
    await this.pool.run(r.db(SYSTEM_DB).table(config).filter(match).orderBy('id').slice(1).delete());
  }

  /** Waits (a read, retried while the server cannot serve it) for what was just created; Unavailable saying it exists when that fails. */
  private async untilReady(what: string, wait: Runnable<unknown>): Promise<void> {
    try {
      await this.pool.read(wait);
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      throw new Unavailable(`${what} was created but is not ready yet: ${error.message}`, { ...error.details });
    }
  }

  /** Forgets what is cached about `db` (or everything). */
  invalidate(db?: string): void {
    if (db === undefined) this.tables.clear();
    else this.tables.delete(db);
  }

  private load(db: string, refresh: boolean): Promise<Map<string, TableInfo>> {
    const cached = this.tables.get(db);
    if (cached && !refresh) return cached;
    const loading = this.fetchTables(db);
    this.tables.set(db, loading);
    loading.catch(() => this.tables.delete(db));
    return loading;
  }

  private async fetchTables(db: string): Promise<Map<string, TableInfo>> {
    // One round trip for every table's primary key and indexes.
    const rows = await this.pool.read(
      r.db(db).tableList().map((name) => ({
        name,
        primary_key: r.db(db).table(name).info()('primary_key'),
        indexes: r.db(db).table(name).indexList(),
      })),
    );
    const tables = new Map<string, TableInfo>();
    for (const row of rows as (TableInfoRow & { indexes: string[] })[]) {
      tables.set(row.name, { db, name: row.name, primaryKey: row.primary_key, indexes: row.indexes });
    }
    return tables;
  }
}
