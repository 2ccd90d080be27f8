import DataLoader from 'dataloader';
import type { Document } from './document-types.js';
import type { Documents } from './documents.js';
import type { ModelReads } from './model-reads.js';

/** What a trace says of a DataLoader batch: the table (and index, for reverse relations) and how many keys. */
export interface BatchShape {
  db: string;
  table: string;
  index?: string;
  size: number;
}

/** Runs `read` (one batch's database reads) inside a span describing the batch (tracing). */
export type BatchTracer = <T>(batch: BatchShape, read: () => Promise<T>) => Promise<T>;

/**
 * Per-request DataLoaders, one per (db, table): every get-by-id of a request that happens in the
 * same tick becomes ONE database query. Create a new set for every request (in the context
 * factory), never at module level: the cache would leak data across requests and users.
 */
export class Loaders {
  // Made on first use: every operation gets a Loaders, and a subscription keeps its own for its
  // whole life, most of them never loading anything (two empty Maps were ~0.45 KiB of each idle one).
  private tables?: Map<string, DataLoader<string, Document | null>>;
  private indexes?: Map<string, DataLoader<unknown, Document[], string>>;

  private get byTable(): Map<string, DataLoader<string, Document | null>> {
    return (this.tables ??= new Map());
  }

  private get byIndex(): Map<string, DataLoader<unknown, Document[], string>> {
    return (this.indexes ??= new Map());
  }

  /**
   * @param onBatch called with the number of ids of every batch (metrics)
   * @param modelReads reads by secondary index, for `referencesOf` (absent: referencesOf throws)
   * @param traceBatch runs each batch in a span (absent: tracing off, batches run directly)
   */
  constructor(
    private readonly documents: Documents,
    private readonly onBatch: (size: number) => void = () => undefined,
    private readonly modelReads?: ModelReads,
    private readonly traceBatch?: BatchTracer,
  ) {}

  /** The loader for one table; `load(id)` resolves to the document or null. */
  documentsOf(db: string, table: string): DataLoader<string, Document | null> {
    const name = `${db}\u0000${table}`;
    let loader = this.byTable.get(name);
    if (!loader) {
      loader = new DataLoader(
        (ids) => {
          this.onBatch(ids.length);
          if (!this.traceBatch) return this.documents.getMany(db, table, ids);
          return this.traceBatch({ db, table, size: ids.length }, () => this.documents.getMany(db, table, ids));
        },
        { maxBatchSize: 1000 },
      );
      this.byTable.set(name, loader);
    }
    return loader;
  }

  /**
   * The loader of a reverse relation: `load(key)` resolves to the documents of `table` whose
   * secondary index `index` equals key (e.g. the players of a board). All keys asked for in one
   * tick become ONE query. Keys are stored values (a string and a number are different keys).
   */
  referencesOf(db: string, table: string, index: string): DataLoader<unknown, Document[], string> {
    const name = `${db}\u0000${table}\u0000${index}`;
    let loader = this.byIndex.get(name);
    if (!loader) {
      const reads = this.modelReads;
      if (!reads) throw new Error('Loaders.referencesOf needs ModelReads');
      loader = new DataLoader(
        (keys) => {
          this.onBatch(keys.length);
          if (!this.traceBatch) return reads.byIndex(db, table, index, keys);
          return this.traceBatch({ db, table, index, size: keys.length }, () => reads.byIndex(db, table, index, keys));
        },
        { maxBatchSize: 1000, cacheKeyFn: (key) => JSON.stringify(key) },
      );
      this.byIndex.set(name, loader);
    }
    return loader;
  }

  /** After a write: remember the new state of a document (null: it is gone). */
  prime(db: string, table: string, id: string, document: Document | null): void {
    this.documentsOf(db, table).clear(id).prime(id, document);
    this.clearReferences(db, table);
  }

  /** Forget everything cached for a table (after a write that touched unknown ids). */
  clearTable(db: string, table: string): void {
    this.tables?.get(`${db}\u0000${table}`)?.clearAll();
    this.clearReferences(db, table);
  }

  /**
   * Forget everything cached. A subscription's context (and so its loaders) lives as long as the
   * subscription: each event is resolved after this, so related documents are read afresh per
   * event while the reads of one event are still batched.
   */
  clearAll(): void {
    for (const loader of this.tables?.values() ?? []) loader.clearAll();
    for (const loader of this.indexes?.values() ?? []) loader.clearAll();
  }

  /** A write to a table may change which of its documents point where. */
  private clearReferences(db: string, table: string): void {
    const prefix = `${db}\u0000${table}\u0000`;
    for (const [name, loader] of this.indexes ?? []) if (name.startsWith(prefix)) loader.clearAll();
  }
}
