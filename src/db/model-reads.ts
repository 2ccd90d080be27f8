import { r, type RDatum } from 'rethinkdb-ts';
import { NotFound } from '../errors/domain.js';
import type { Catalog } from './catalog.js';
import type { Document } from './document-types.js';
import { checkName } from './names.js';
import { documentComparator } from '../filter/order.js';
import type { ConnectionPool } from './pool.js';

/** The reads the typed per-table API needs beyond the generic ones: samples for inference, documents by a secondary index for reverse relations. */
export class ModelReads {
  constructor(
    private readonly pool: ConnectionPool,
    private readonly catalog: Catalog,
    /** Most documents one reverse list holds (the gateway's maxLimit). */
    private readonly maxPerKey: number,
  ) {}

  /**
   * Up to `size` documents of a table, in whatever order the server keeps them: the first
   * documents, not a random sample (reqlite's `sample` is broken, and `limit` is cheap on both).
   */
  async sample(db: string, table: string, size: number): Promise<Document[]> {
    await this.catalog.table(db, table);
    if (size <= 0) return [];
    return this.pool.read(r.db(db).table(table).limit(size) as unknown as RDatum<Document[]>);
  }

  /**
   * For each key, the documents whose secondary index `index` equals it (sorted by primary key,
   * at most maxPerKey each), in key order: ONE query, `expr(keys).map(getAll)`, correct on
   * reqlite (which scans) and RethinkDB (which uses the index). NotFound for a missing index.
   */
  async byIndex(db: string, table: string, index: string, keys: readonly unknown[]): Promise<Document[][]> {
    checkName('index', index);
    const info = await this.catalog.table(db, table);
    if (!info.indexes.includes(index)) {
      throw new NotFound(`index "${index}" does not exist on ${db}.${table}`, { database: db, table, index });
    }
    if (keys.length === 0) return [];
    const t = r.db(db).table(table);
    const lists = await this.pool.read(
      r.expr(keys as unknown[]).map((key) => t.getAll(key, { index }).limit(this.maxPerKey).coerceTo('array')) as RDatum<Document[][]>,
    );
    const order = documentComparator([], info.primaryKey);
    return lists.map((list) => [...list].sort(order));
  }
}
