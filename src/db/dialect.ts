import { r, type RDatum } from 'rethinkdb-ts';
import type { WhereNode } from '../filter/ast.js';
import type { Document } from './document-types.js';
import { existsByGet, existsByGetAll, type ExistsTerm } from './keys.js';
import { splitObjectMatch } from './object-match.js';
import { fieldValue, nativeFieldValue } from './paths.js';
import type { ConnectionPool, Runnable } from './pool.js';
import { GetByKeys, tableTerm } from './terms.js';
import { compileWhere } from './where.js';
import { atomicInDatabase, PerDocumentWriteQueue, type WriteQueue } from './write-queue.js';

/**
 * The one place the data layer chooses between plans for the embedded reqlite and for a real
 * RethinkDB. Every reqlite plan is also correct on RethinkDB (only slower there); RethinkDB's
 * plans use terms reqlite lacks or runs badly (`getAll` scans the table there, `between` on an
 * index fails, `row('a')('b')` on a null `a` is not caught by `.default`).
 */
export interface Dialect {
  readonly name: 'reqlite' | 'rethinkdb';
  /** Wait for a new table to be ready: RethinkDB answers tableCreate first; reqlite has no `wait`. */
  readonly waitForTables: boolean;
  /** Secondary indexes may narrow and order list queries (getAll, between, orderBy({index})). */
  readonly usesIndexes: boolean;
  /**
   * The documents with these primary keys, in ONE query: in any order, missing keys absent or
   * null. Put them in key order with `inKeyOrder` (src/db/turn-reads.ts).
   */
  getMany(db: string, table: string, keys: readonly (string | number)[]): Runnable<(Document | null)[]>;
  /** Whether a document with this key exists, inside a query. */
  readonly exists: ExistsTerm;
  /** The value at a field path, null when absent (src/db/paths.ts). */
  fieldValue(row: RDatum, path: readonly string[]): RDatum;
  /** What `orderBy` sorts a row by for a field path: its value, in the order ReQL sorts values. */
  sortKey(row: RDatum, path: readonly string[]): RDatum;
  /** A where filter as a ReQL predicate (src/db/where.ts), for use inside other terms. */
  compileWhere(node: WhereNode): (row: RDatum) => RDatum<boolean>;
  /** The rows of `candidates` (a table, selection or stream) that match `node`, in their order. */
  filter(candidates: RDatum, node: WhereNode): RDatum;
  /** A fresh queue for single-document writes (src/db/write-queue.ts): one per data layer. */
  createWriteQueue(): WriteQueue;
}

/**
 * The embedded reqlite: `expr(keys).map(get)` (its getAll scans the table, 50x slower at 100k
 * documents), null-safe path walks, `exists` by `getAll().count()` (its `get` of a missing key is
 * not null inside a query), single-document writes queued in the gateway, no index plans.
 */
export const reqliteDialect: Dialect = {
  name: 'reqlite',
  waitForTables: false,
  usesIndexes: false,
  getMany: (db, table, keys) => r.expr([...keys]).map((key) => tableTerm(db, table).get(key)) as RDatum<(Document | null)[]>,
  exists: existsByGetAll,
  fieldValue,
  // reqlite sorts rows whose first key is null by primary key descending, whatever the later
  // keys say (its `null < null` is true); a one-element array sorts as its element and is never null.
  sortKey: (row, path) => r.expr([fieldValue(row, path)]),
  compileWhere: (node) => compileWhere(node),
  // Not reqlite's object filter (2.3x faster on its scan, measured): it answers a bare
  // `table.filter({...})` with "Unexpected return value".
  filter: (candidates, node) => candidates.filter(compileWhere(node)),
  createWriteQueue: () => new PerDocumentWriteQueue(),
};

/**
 * A real RethinkDB: `getAll` (an index lookup: 0.8 ms for 100 keys against 3.5 ms for
 * `expr(keys).map(get)`), native `.default(null)` paths where exact, equality tests as object
 * filters, `get` for `exists`, atomic single-document writes, index plans (src/db/plans.ts).
 */
export const rethinkdbDialect: Dialect = {
  name: 'rethinkdb',
  waitForTables: true,
  usesIndexes: true,
  getMany: (db, table, keys) => new GetByKeys(db, table, keys),
  exists: existsByGet,
  fieldValue: nativeFieldValue,
  sortKey: nativeFieldValue,
  compileWhere: (node) => compileWhere(node, true),
  // Equality tests as an object filter first: the server tests those natively, 2–2.5× faster
  // than the same test as a ReQL function (src/db/object-match.ts).
  filter: (candidates, node) => {
    const { match, rest } = splitObjectMatch(node);
    const matched = match ? candidates.filter(match) : candidates;
    return rest ? matched.filter(compileWhere(rest, true)) : matched;
  },
  createWriteQueue: () => atomicInDatabase,
};

/**
 * The dialect of one data layer: known at once for the embedded reqlite, otherwise detected at
 * the first connection (RETHINKDB_URL may point at any server): `server_status` has a row per
 * server on RethinkDB and none on reqlite. A failed detection (database down) is retried.
 */
export class BackendDialect {
  private chosen: Dialect | undefined;
  private detecting: Promise<Dialect> | undefined;
  private queue: WriteQueue | undefined;

  constructor(
    private readonly pool: ConnectionPool,
    known?: Dialect,
  ) {
    if (known) this.choose(known);
  }

  /** The dialect once chosen; undefined while the first detection runs. */
  get current(): Dialect | undefined {
    return this.chosen;
  }

  /** The queue for single-document writes of the chosen dialect (call after `dialect()` resolved). */
  get writes(): WriteQueue {
    if (!this.queue) throw new Error('BackendDialect.writes before the dialect was chosen');
    return this.queue;
  }

  /** The dialect (detected on the first call when not known). */
  dialect(): Dialect | Promise<Dialect> {
    return this.chosen ?? (this.detecting ??= this.detect());
  }

  private choose(dialect: Dialect): Dialect {
    this.chosen = dialect;
    this.queue = dialect.createWriteQueue();
    return dialect;
  }

  private async detect(): Promise<Dialect> {
    try {
      const servers = await this.pool.run(r.db('rethinkdb').table('server_status').count());
      return this.choose(servers > 0 ? rethinkdbDialect : reqliteDialect);
    } catch (error) {
      // reqlite answers 0 (measured) and has no permissions: a server that refuses a user the
      // system table is RethinkDB. Anything else (the database down) fails this request and is
      // detected again on the next.
      if (error instanceof Error && /permission/i.test(error.message)) return this.choose(rethinkdbDialect);
      this.detecting = undefined;
      throw error;
    }
  }
}
