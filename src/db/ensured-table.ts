import { NotFound } from '../errors/domain.js';
import type { Catalog } from './catalog.js';

/**
 * A table the gateway keeps for itself (the RDM audit trail, the channel events): created with
 * its database when missing, and created again when it was dropped behind the gateway's back.
 */
export class EnsuredTable {
  private ready: Promise<void> | undefined;

  /** @param onCreated called after this gateway created the table (for a log line) */
  constructor(
    private readonly catalog: Catalog,
    readonly db: string,
    readonly table: string,
    private readonly onCreated: () => void = () => {},
  ) {}

  /** Creates the database and table when missing; concurrent callers share one attempt. */
  ensure(): Promise<void> {
    this.ready ??= this.create().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Runs `use` on the table (creating it first when missing); when the table vanished meanwhile, creates it and runs `use` once more. */
  async use<T>(use: () => Promise<T>): Promise<T> {
    await this.ensure();
    try {
      return await use();
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      this.catalog.invalidate(this.db);
      this.ready = undefined;
      await this.ensure();
      return use();
    }
  }

  /** Whether the table exists now (without creating it). */
  exists(): Promise<boolean> {
    return this.catalog.table(this.db, this.table).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFound) return false;
        throw error;
      },
    );
  }

  private async create(): Promise<void> {
    const { catalog, db, table } = this;
    if (await this.exists()) return;
    await catalog.ensureDatabase(db);
    await catalog.createTable(db, table).catch(async (error: unknown) => {
      // Another replica (or a concurrent request elsewhere) may have created it meanwhile.
      await catalog.table(db, table).catch(() => Promise.reject(error));
    });
    this.onCreated();
  }
}
