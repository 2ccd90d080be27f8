import DataLoader from 'dataloader';
import type { Document, Documents } from './documents.js';

/**
 * Per-request DataLoaders, one per (db, table): every get-by-id of a request that happens in the
 * same tick becomes ONE database query. Create a new set for every request (in the context
 * factory), never at module level: the cache would leak data across requests and users.
 */
export class Loaders {
  private readonly byTable = new Map<string, DataLoader<string, Document | null>>();

  /** @param onBatch called with the number of ids of every batch (metrics) */
  constructor(
    private readonly documents: Documents,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {}

  /** The loader for one table; `load(id)` resolves to the document or null. */
  documentsOf(db: string, table: string): DataLoader<string, Document | null> {
    const name = `${db}\u0000${table}`;
    let loader = this.byTable.get(name);
    if (!loader) {
      loader = new DataLoader(
        (ids) => {
          this.onBatch(ids.length);
          return this.documents.getMany(db, table, ids);
        },
        { maxBatchSize: 1000 },
      );
      this.byTable.set(name, loader);
    }
    return loader;
  }

  /** After a write: remember the new state of a document (null: it is gone). */
  prime(db: string, table: string, id: string, document: Document | null): void {
    this.documentsOf(db, table).clear(id).prime(id, document);
  }

  /** Forget everything cached for a table (after a write that touched unknown ids). */
  clearTable(db: string, table: string): void {
    this.byTable.get(`${db}\u0000${table}`)?.clearAll();
  }
}
