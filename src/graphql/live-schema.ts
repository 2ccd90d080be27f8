import type { GraphQLSchema } from 'graphql';
import type { DataLayer } from '../db/index.js';
import type { Logger } from '../observability/logger.js';
import { loadModels, type LoadedModels } from '../models/load.js';
import type { TableModel } from '../models/model.js';
import { SchemaNameCollision, type LeftOutTable } from '../models/names.js';
import { buildSchema, type BuiltSchema } from '../schema/index.js';

/** What `/ready` says about the schema being served. */
export interface SchemaStatus {
  /** 0 for the schema built before the database was read; +1 per rebuild. */
  readonly version: number;
  /** ISO-8601 time of the last build. */
  readonly builtAt: string;
  /** The tables with typed fields. */
  readonly tables: readonly string[];
  /**
   * Tables of the database without typed fields (they keep the generic API), and why: names
   * that clash (two tables, or a table and the generic API), or a table the database could not
   * serve yet. Absent when there are none.
   */
  readonly skipped?: readonly LeftOutTable[];
  /** Why the last refresh failed (the previous schema is still served); absent when it worked. */
  readonly lastError?: string;
}

/** The schema the server executes against, which may change while it runs. */
export interface SchemaSource {
  readonly current: GraphQLSchema;
  status(): SchemaStatus;
}

/** What the live schema is built from. */
export interface LiveSchemaOptions {
  data: DataLayer;
  /** The database whose tables get typed fields. */
  db: string;
  declared: readonly TableModel[];
  sampleSize: number;
  /** Milliseconds between checks of the table list; 0: never (refresh() only). */
  refreshMs: number;
  log: Logger;
}

/**
 * The gateway's schema, following the database: `refresh()` reads the models (inference plus
 * declarations) and swaps in a freshly built schema; a timer polls the table list every
 * `refreshMs` and refreshes when a table was created or dropped, inside the gateway or not
 * (polling `tableList` works on reqlite and RethinkDB alike; a feed on the system tables does
 * not exist on reqlite). Operations already running, including open subscriptions, keep the
 * schema they started with. Tables left out of the typed API are logged as warnings (once per
 * reason) and listed in `status().skipped`; one left out because the database could not serve it
 * yet is tried again at the next poll.
 */
export class LiveSchema implements SchemaSource {
  current: GraphQLSchema;
  private version = 0;
  private builtAt = new Date();
  private tables: readonly string[];
  private skipped: readonly LeftOutTable[] = [];
  /** The table list the served schema was built from (NUL-joined), which the poll compares against. */
  private builtFrom: string;
  private lastError: string | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failedTables: string | undefined;
  /** Whether the last build left out a table the database could not serve (tried again at the next poll). */
  private unread = false;

  /** @param initial the schema served until the first refresh (the app builds it from the declared models: `buildSchema(declared)`) */
  constructor(
    initial: GraphQLSchema,
    private readonly options: LiveSchemaOptions,
  ) {
    this.current = initial;
    this.tables = options.declared.map((model) => model.table);
    this.builtFrom = [...this.tables].sort().join('\u0000');
  }

  status(): SchemaStatus {
    return {
      version: this.version,
      builtAt: this.builtAt.toISOString(),
      tables: this.tables,
      ...(this.skipped.length > 0 ? { skipped: this.skipped } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * Rebuilds the schema from the database now. A call while a rebuild runs queues one more
   * (which reads the database after the running one, so it sees every write made before the
   * call); calls while one is queued share it. Resolves once the new schema is served; rejects
   * (and keeps serving the old one) when the models cannot be read or the schema cannot be built.
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.rebuild().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  /** Starts polling the table list (no-op when refreshMs is 0). */
  start(): void {
    if (this.options.refreshMs <= 0 || this.timer) return;
    const tick = async () => {
      try {
        const tables = (await this.options.data.catalog.tableList(this.options.db)).map((info) => info.name).join('\u0000');
        // Rebuilt when tables came or went, or one could not be read last time. A set of tables
        // whose schema is refused (declared names that collide: a configuration error) is not
        // retried every tick; any other failure (the database not serving a table yet) is.
        if ((tables !== this.builtFrom || this.unread) && tables !== this.failedTables) {
          this.failedTables = undefined;
          await this.refresh().catch((error: unknown) => {
            if (error instanceof SchemaNameCollision) this.failedTables = tables;
            throw error;
          });
        }
      } catch (error) {
        this.options.log.warn({ err: error }, 'schema refresh failed; the previous schema is still served');
      } finally {
        if (this.timer) this.timer = setTimeout(tick, this.options.refreshMs).unref();
      }
    };
    this.timer = setTimeout(tick, this.options.refreshMs).unref();
  }

  /** Stops polling. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async rebuild(): Promise<void> {
    const { data, db, declared, sampleSize, log } = this.options;
    let loaded: LoadedModels;
    let built: BuiltSchema;
    try {
      loaded = await loadModels({ data, db, declared, sampleSize });
      built = buildSchema(loaded.models);
    } catch (error) {
      this.lastError = (error as Error).message;
      throw error;
    }
    const skipped = [...loaded.unavailable, ...built.leftOut].sort((a, b) => a.table.localeCompare(b.table));
    const before = new Set(this.skipped.map((table) => `${table.table}\u0000${table.reason}`));
    for (const table of skipped) {
      if (!before.has(`${table.table}\u0000${table.reason}`)) log.warn({ table: table.table, reason: table.reason }, `table "${table.table}" has no typed fields: ${table.reason}`);
    }
    this.lastError = undefined;
    this.unread = loaded.unavailable.length > 0;
    this.skipped = skipped;
    this.builtFrom = loaded.tables.join('\u0000');
    const leftOut = new Set(built.leftOut.map((table) => table.table));
    this.tables = loaded.models.map((model) => model.table).filter((table) => !leftOut.has(table));
    this.current = built.schema;
    this.version += 1;
    this.builtAt = new Date();
    log.info({ version: this.version, tables: this.tables }, 'schema built');
  }
}
