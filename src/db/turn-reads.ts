import type { BackendDialect } from './dialect.js';
import type { Document } from './document-types.js';
import { keyCandidates } from './keys.js';
import type { ConnectionPool } from './pool.js';
import { getByKey } from './terms.js';

/** A primary key value: what `keyCandidates` gives for an id. */
export type Key = string | number;

/** Reads the documents with these keys (distinct) in ONE query: in any order, missing ones absent or null. */
export type ReadKeys = (db: string, table: string, keys: readonly Key[]) => Promise<readonly (Document | null)[]>;

/** One query for these keys on `pool`: a lone key is a bare get (the cheapest query), more the dialect's plan. */
export function keyReader(pool: ConnectionPool, backend: BackendDialect): ReadKeys {
  return async (db, table, keys) => {
    const [only] = keys;
    if (keys.length === 1 && only !== undefined) return [(await pool.read(getByKey(db, table, only))) as Document | null];
    const dialect = await backend.dialect();
    return pool.read(dialect.getMany(db, table, keys));
  };
}

/** The most keys one query asks for; a turn with more sends several. */
const MAX_KEYS_PER_QUERY = 1000;

interface Batch {
  readonly keys: Set<Key>;
  /** The table's primary key, the field the found documents are keyed by. */
  readonly primaryKey: string;
  readonly found: Promise<ReadonlyMap<unknown, Document>>;
}

/**
 * Reads by primary key from every request handled in one turn of the event loop, as ONE query
 * per table. Each request's DataLoader batches its own reads (per request, as its cache must
 * be); under load a turn handles many requests (14 per turn measured at 32 concurrent clients),
 * and each sent its own query: a socket write, a response to parse and a query for the server
 * each. Reads are not transactional across requests anyway: reading the same keys together a
 * few microseconds later changes nothing a caller can observe. The batch runs in the turn's
 * check phase (setImmediate), once every request of the turn has asked.
 */
export class TurnReads {
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly read: ReadKeys) {}

  /**
   * The documents with these ids of `db.table` (whose primary key is `primaryKey`), in the order
   * of `ids`, null where missing. Each id stands for its candidate keys (`keyCandidates`: "1" and
   * 1); the first found wins.
   */
  async getMany(db: string, table: string, primaryKey: string, ids: readonly string[]): Promise<(Document | null)[]> {
    const candidates = ids.map(keyCandidates);
    const found = await this.documents(db, table, primaryKey, candidates.flat());
    return inKeyOrder(candidates, found);
  }

  /** The documents among `keys` of `db.table` by primary key, read with this turn's other reads of the table. */
  private documents(db: string, table: string, primaryKey: string, keys: readonly Key[]): Promise<ReadonlyMap<unknown, Document>> {
    const name = `${db}\u0000${table}`;
    let batch = this.batches.get(name);
    if (!batch) {
      const pending = new Set<Key>();
      // Scheduled by the batch's first reader: its async context (a trace span) holds the query.
      const found = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.batches.delete(name);
        return this.readAll(db, table, primaryKey, [...pending]);
      });
      batch = { keys: pending, primaryKey, found };
      this.batches.set(name, batch);
    }
    for (const key of keys) batch.keys.add(key);
    return batch.found;
  }

  private async readAll(db: string, table: string, primaryKey: string, keys: Key[]): Promise<ReadonlyMap<unknown, Document>> {
    const chunks: Key[][] = [];
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_QUERY) chunks.push(keys.slice(i, i + MAX_KEYS_PER_QUERY));
    const results = await Promise.all(chunks.map((chunk) => this.read(db, table, chunk)));
    const byKey = new Map<unknown, Document>();
    for (const docs of results) for (const doc of docs) if (doc) byKey.set(doc[primaryKey], doc);
    return byKey;
  }
}

/** The documents `found` (by primary key) for each id, given as its candidate keys, in order; null where none is found, else the first found. */
export function inKeyOrder(candidates: readonly (readonly Key[])[], found: ReadonlyMap<unknown, Document>): (Document | null)[] {
  return candidates.map((keys) => {
    for (const key of keys) {
      const doc = found.get(key);
      if (doc) return doc;
    }
    return null;
  });
}
