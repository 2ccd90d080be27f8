import type { GraphQLSchema } from 'graphql';
import type { DataLayer } from '../db/index.js';
import type { Logger } from '../observability/logger.js';
import { loadModels } from '../models/load.js';
import type { TableModel } from '../models/model.js';
import { buildSchema } from '../schema/index.js';

/** What `/ready` says about the schema being served. */
export interface SchemaStatus {
  /** 0 for the schema built before the database was read; +1 per rebuild. */
  readonly version: number;
  /** ISO-8601 time of the last build. */
  readonly builtAt: string;
  /** The tables with typed fields. */
  readonly tables: readonly string[];
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
 * schema they started with.
 */
export class LiveSchema implements SchemaSource {
  current: GraphQLSchema;
  private version = 0;
  private builtAt = new Date();
  private tables: readonly string[];
  private lastError: string | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failedTables: string | undefined;

  /** @param initial the schema served until the first refresh (the app builds it from the declared models: `buildSchema(declared)`) */
  constructor(
    initial: GraphQLSchema,
    private readonly options: LiveSchemaOptions,
  ) {
    this.current = initial;
    this.tables = options.declared.map((model) => model.table);
  }

  status(): SchemaStatus {
    return { version: this.version, builtAt: this.builtAt.toISOString(), tables: this.tables, ...(this.lastError ? { lastError: this.lastError } : {}) };
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
        // A set of tables whose schema failed once (a name collision) is not retried every tick.
        if (tables !== [...this.tables].sort().join('\u0000') && tables !== this.failedTables) {
          this.failedTables = undefined;
          await this.refresh().catch((error: unknown) => {
            this.failedTables = tables;
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
    let models: TableModel[];
    let schema: GraphQLSchema;
    try {
      models = await loadModels({ data, db, declared, sampleSize });
      schema = buildSchema(models);
    } catch (error) {
      this.lastError = (error as Error).message;
      throw error;
    }
    this.lastError = undefined;
    this.tables = models.map((model) => model.table);
    this.current = schema;
    this.version += 1;
    this.builtAt = new Date();
    log.info({ version: this.version, tables: this.tables }, 'schema built');
  }
}
