import type { DatabaseTarget } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { Aggregates } from './aggregates.js';
import { Catalog } from './catalog.js';
import type { DriverFeature } from './driver-internals.js';
import { BackendDialect, reqliteDialect } from './dialect.js';
import type { Limits } from './document-types.js';
import { Documents } from './documents.js';
import { FieldIndexes } from './field-indexes.js';
import { Loaders } from './loaders.js';
import { ModelReads } from './model-reads.js';
import type { BatchTracer } from './loaders.js';
import { ConnectionPool, type QueryTracer } from './pool.js';

export type { Document, DocumentChange, InsertResult, OrderBy, SortDirection, ConflictMode, ListQuery } from './document-types.js';
export type { TableInfo } from './catalog.js';
export type { HostStatus } from './hosts.js';
export { Loaders, type BatchShape, type BatchTracer } from './loaders.js';
export type { QueryTracer, Runnable } from './pool.js';
export { describeQuery, type QueryShape } from './query-shape.js';
export type { BackendDialect, Dialect } from './dialect.js';
export { EnsuredTable } from './ensured-table.js';
export { EventStore, type Retention } from './events.js';
export { ModelReads } from './model-reads.js';
export { startEmbeddedServer, type EmbeddedServer } from './embedded.js';
export { keyCandidates } from './keys.js';
export { aggregateFields, emptyAccumulator, parseAggregate, resultOf, type Accumulator, type AggregateGroup, type AggregateRequest, type AggregateResult, type AggregateSpec, type Contribution } from './aggregate-types.js';
export { TableUnavailable } from './reql-errors.js';
export { openTableFeed, readSnapshot, type FeedHandlers, type OpenFeed, type RawChange, type SnapshotFilter } from './feeds.js';
export { operatorFields, type UpdateOperators } from './update-operators.js';

/** The data layer: the only way the rest of the gateway reaches RethinkDB. */
export interface DataLayer {
  readonly pool: ConnectionPool;
  readonly catalog: Catalog;
  readonly documents: Documents;
  /** Grouped count / sum / avg / min / max computed in the database. */
  readonly aggregates: Aggregates;
  /** The plans for this server (reqlite or RethinkDB), chosen once (src/db/dialect.ts). */
  readonly dialect: BackendDialect;
  /** Reads of the typed per-table API: samples for inference, reverse relations by secondary index. */
  readonly modelReads: ModelReads;
  /** A fresh set of DataLoaders: call once per request. */
  createLoaders(): Loaders;
  close(): Promise<void>;
}

export interface DataLayerOptions extends Limits {
  target: Exclude<DatabaseTarget, { kind: 'embedded' }>;
  /**
   * Which server `target` is: `reqlite` when the gateway started it (the embedded server), else
   * `detect` to ask the server at the first connection (src/db/dialect.ts). @default 'detect'
   */
  backend?: 'reqlite' | 'detect';
  poolSize: number;
  /** How long a query waits for a connection while the database is down. */
  dbWaitMs: number;
  log: Logger;
  /** Round-trip time of every query (metrics). */
  onQuery?: (seconds: number, ok: boolean) => void;
  /** Send the queries of one event-loop turn in one socket write. @default true */
  coalesceWrites?: boolean;
  /** Size of every DataLoader batch (metrics). */
  onBatch?: (size: number) => void;
  /** A driver internal this driver version lacks, so its public-API fallback is in use (metrics). */
  onDriverFallback?: (feature: DriverFeature) => void;
  /** Runs every query in a trace span (absent: tracing off). */
  traceQuery?: QueryTracer;
  /** Runs every DataLoader batch in a trace span (absent: tracing off). */
  traceBatch?: BatchTracer;
  /** A database host was given up (connection lost) while others are configured (metrics). */
  onFailover?: (address: string) => void;
}

/** Opens the connection pool (it connects and reconnects in the background) and builds the data layer on it. */
export function openDataLayer({ target, poolSize, dbWaitMs, log, onQuery, onBatch, onDriverFallback, onFailover, traceQuery, traceBatch, backend = 'detect', coalesceWrites = true, ...limits }: DataLayerOptions): DataLayer {
  const pool = new ConnectionPool({
    host: target.host,
    port: target.port,
    ...(target.hosts ? { hosts: target.hosts } : {}),
    user: target.user,
    password: target.password,
    size: poolSize,
    acquireTimeoutMs: dbWaitMs,
    log: (level, message) => log[level](message),
    // Absent callbacks stay absent: an explicit undefined would replace the pool's defaults.
    ...(onQuery ? { onQuery } : {}),
    ...(onDriverFallback ? { onDriverFallback } : {}),
    traceQuery,
    ...(onFailover ? { onFailover } : {}),
    coalesceWrites,
  });
  const dialect = new BackendDialect(pool, backend === 'reqlite' ? reqliteDialect : undefined);
  // Detect at once, so the dialect is known before the first request needs it.
  if (!dialect.current) void Promise.resolve(dialect.dialect()).catch(() => undefined);
  const catalog = new Catalog(pool, {
    // Read when a table is created, after the detection's query (sent first) has answered; until
    // then RethinkDB's wait is the default.
    get waitForTables() {
      return dialect.current?.waitForTables ?? true;
    },
  });
  const documents = new Documents(pool, catalog, limits, dialect, new FieldIndexes(pool));
  const modelReads = new ModelReads(pool, catalog, limits.maxLimit);
  return {
    pool,
    catalog,
    documents,
    aggregates: new Aggregates(pool, catalog, dialect),
    dialect,
    modelReads,
    createLoaders: () => new Loaders(documents, onBatch, modelReads, traceBatch),
    close: () => pool.close(),
  };
}
