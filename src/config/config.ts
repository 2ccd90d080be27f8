import { parseArgs } from 'node:util';
import { SECURITY_OPTIONS, securityFrom, type SecurityConfig } from '../auth/settings.js';
import { readConfigFile } from './file.js';
import { usage } from './usage.js';

export { usage };
import { checkName } from '../db/names.js';
import { readModelsFile } from '../models/declared.js';
import type { TableModel } from '../models/model.js';

/** Where the gateway's RethinkDB lives. */
export type DatabaseTarget =
  | { kind: 'embedded' }
  | { kind: 'external'; host: string; port: number; user: string; password: string };

/** Every setting of the gateway, in one typed object. Read only here. */
export interface Config {
  /** Address the HTTP server binds to. @default '127.0.0.1' */
  host: string;
  /** HTTP port; 0 picks a free one. @default 4000 */
  port: number;
  /** Path of the GraphQL endpoint (HTTP, SSE and graphql-ws). @default '/graphql' */
  graphqlPath: string;
  database: DatabaseTarget;
  /** Database used when a field's `db` argument is omitted; created at start if missing. @default 'test' */
  defaultDb: string;
  /** Rows a list query returns when it gives no `limit`. @default 100 */
  defaultLimit: number;
  /** Largest `limit` (and `ids` list) a client may ask for. @default 1000 */
  maxLimit: number;
  /** Connections in the query pool (changefeeds get their own). @default 4 */
  poolSize: number;
  /** Production mode (`--production`, PRODUCTION=true or NODE_ENV=production): changes the defaults of `graphiql`, `introspection` and `corsOrigins`. @default false */
  production: boolean;
  /** Serve GraphiQL on GET of the GraphQL path. @default true, false in production mode */
  graphiql: boolean;
  /** Answer introspection queries (`__schema`, `__type`); when off, "Did you mean" suggestions are hidden too. @default true, false in production mode */
  introspection: boolean;
  /** Origins allowed to call the gateway from a browser (CORS); `['*']` allows any, `[]` none (same-origin pages only). @default ['*'], [] in production mode */
  corsOrigins: readonly string[];
  /** Deepest selection nesting an operation may have (GraphQL Armor max-depth). @default 12 */
  maxDepth: number;
  /** Most aliased fields in one operation (GraphQL Armor max-aliases). @default 100 */
  maxAliases: number;
  /** Most lexical tokens in one document, checked while parsing (GraphQL Armor max-tokens). @default 5000 */
  maxTokens: number;
  /** Highest operation cost (GraphQL Armor cost-limit: 1 per scalar field, 2 per object field plus 1.5 x its children). @default 5000 */
  maxCost: number;
  /** Most directives in one operation (GraphQL Armor max-directives). @default 50 */
  maxDirectives: number;
  /** Most rows one operation may ask for: `limit`s, `ids` and inserted documents summed over all its fields (src/row-budget.ts). @default 10 x maxLimit */
  maxRows: number;
  /** Largest request body in bytes; also the largest RDM packet. @default 1_048_576 */
  maxBodyBytes: number;
  /** How long a query waits for a database connection while the database is down. @default 5000 */
  dbWaitMs: number;
  /** Seed a small leaderboard (boards, players) into the default database if those tables are absent. @default true with the embedded database, false otherwise */
  demo: boolean;
  /** Address of the legacy RDM websocket listener. @default the value of `host` (RDM used 0.0.0.0) */
  wsHost: string;
  /** Port of the legacy RDM listener (bare paths /insert, /get, ...); 0 picks a free one, null turns it off. @default 8765 */
  wsPort: number | null;
  /** Write every accepted RDM request to the audit table before running it. @default true */
  rdmAudit: boolean;
  /** Database of the RDM audit trail; created when missing. @default 'AUDIT' */
  rdmAuditDb: string;
  /** Table of the RDM audit trail; created when missing. @default 'rethink_data_manager' */
  rdmAuditTable: string;
  /** Most documents an RDM get_all or filter answers with; more is an error reply, never a truncated list. @default 100_000 */
  rdmMaxRows: number;
  /**
   * Events one subscriber may have waiting before it counts as too slow: a `changes` subscriber
   * then gets a SUBSCRIBER_TOO_SLOW error and is ended, a `live` one skips to the newest result.
   * @default 1000
   */
  subscriberQueueSize: number;
  /** Database of the channel events table; created when missing. @default 'rethinkql' */
  eventsDb: string;
  /** Table of channel events (the pub/sub bus); created when missing. @default 'events' */
  eventsTable: string;
  /** Channel events older than this many seconds are deleted. @default 86_400 (one day) */
  eventsMaxAgeSeconds: number;
  /** Beyond this many channel events, the oldest are deleted. @default 10_000 */
  eventsMaxCount: number;
  /** How often (milliseconds) the events retention is enforced; 0 = never. @default 60_000 */
  eventsPruneIntervalMs: number;
  /** Events each `changes` / `liveChanges` query keeps so reconnecting clients can resume (0: resume always RESETs). @default 1000 */
  replayWindowEvents: number;
  /** Oldest event kept for resuming, in seconds. @default 300 */
  replayWindowSeconds: number;
  /**
   * Seconds a `changes` / `liveChanges` query (its feed and replay window) stays open after its
   * last subscriber left, so a client that reconnects alone can still resume (0: close at once). @default 60
   */
  resumeGraceSeconds: number;
  /** The JSON file the declared models were read from, if any. @default undefined */
  modelsFile: string | undefined;
  /** Declared models of tables of the default database (from `modelsFile`); they override inferred ones. @default [] */
  models: readonly TableModel[];
  /** Documents read per table to infer its GraphQL type; 0 infers none. @default 100 */
  schemaSampleSize: number;
  /** Milliseconds between checks of the table list (the schema follows created and dropped tables); 0 never checks. @default 5000 */
  schemaRefreshMs: number;
  /** Authentication, permissions, rate limits and connection caps (see README, "Security"). */
  security: SecurityConfig;
}

/** A setting's value could not be used; the message says which and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses `rethinkdb://[user[:password]@]host[:port][/db]`. Throws ConfigError. */
export function parseRethinkdbUrl(text: string): { target: DatabaseTarget & { kind: 'external' }; db?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`RETHINKDB_URL "${redactUrl(text)}" is not a URL; expected rethinkdb://[user[:password]@]host[:port][/db]`);
  }
  if (url.protocol !== 'rethinkdb:') {
    throw new ConfigError(`RETHINKDB_URL must start with rethinkdb:// (got "${url.protocol}//")`);
  }
  if (!url.hostname) throw new ConfigError('RETHINKDB_URL has no host');
  if (url.search || url.hash) throw new ConfigError('RETHINKDB_URL must not have a query string or fragment');
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (path.includes('/')) throw new ConfigError(`RETHINKDB_URL path must be a single database name (got "${path}")`);
  return {
    target: {
      kind: 'external',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : 28015,
      user: url.username ? decodeURIComponent(url.username) : 'admin',
      password: decodeURIComponent(url.password),
    },
    db: path || undefined,
  };
}

function redactUrl(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

function boolean(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false (got "${value}")`);
}

/**
 * Parses a CORS origin list: `*` (any origin), `none` or nothing (no cross-origin requests), or
 * comma-separated origins like `https://app.example.com` (scheme, host and port only, as browsers send them).
 */
function parseOrigins(name: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0 || (items.length === 1 && /^none$/i.test(items[0] as string))) return [];
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError(`${name}: * allows every origin and cannot be combined with others (got "${value}")`);
    return ['*'];
  }
  for (const item of items) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== item) throw new ConfigError(`${name}: "${item}" is not an origin like https://app.example.com (scheme://host[:port], no path or trailing slash)`);
  }
  return items;
}

/** A database or table name the gateway will create, checked by the data layer's rule; `setting` is [name, value]. */
function storageName(kind: 'database' | 'table', [name, value]: [string, string]): string {
  try {
    return checkName(kind, value);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function databaseFromEnv(env: Env): { target: DatabaseTarget; db?: string } {
  const url = env.RETHINKDB_URL;
  if (url) return parseRethinkdbUrl(url);
  // The RDM-era variables, accepted as aliases (see docs on RDM compatibility).
  if (env.ReDB_HOST || env.ReDB_PORT) {
    const host = env.ReDB_HOST && env.ReDB_HOST !== '0.0.0.0' ? env.ReDB_HOST : '127.0.0.1';
    return {
      target: {
        kind: 'external',
        host,
        port: env.ReDB_PORT ? integer('ReDB_PORT', env.ReDB_PORT, 1, 65535) : 28015,
        user: env.ReDB_USER || 'admin',
        password: env.ReDB_PASS ?? '',
      },
    };
  }
  return { target: { kind: 'embedded' } };
}

/**
 * Builds the configuration from command-line arguments and environment variables (flags win).
 * Returns `'help'` when help was asked for. Throws ConfigError naming the bad setting.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: Env = process.env): Config | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'graphql-path': { type: 'string' },
        'rethinkdb-url': { type: 'string' },
        db: { type: 'string' },
        'default-limit': { type: 'string' },
        'max-limit': { type: 'string' },
        'pool-size': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'db-wait-ms': { type: 'string' },
        'subscriber-queue-size': { type: 'string' },
        'replay-window-events': { type: 'string' },
        'replay-window-seconds': { type: 'string' },
        'resume-grace-seconds': { type: 'string' },
        production: { type: 'boolean' },
        graphiql: { type: 'boolean' },
        'no-graphiql': { type: 'boolean' },
        introspection: { type: 'boolean' },
        'no-introspection': { type: 'boolean' },
        'cors-origins': { type: 'string' },
        'max-depth': { type: 'string' },
        'max-aliases': { type: 'string' },
        'max-tokens': { type: 'string' },
        'max-cost': { type: 'string' },
        'max-directives': { type: 'string' },
        'max-rows': { type: 'string' },
        demo: { type: 'boolean' },
        'no-demo': { type: 'boolean' },
        config: { type: 'string' },
        'ws-host': { type: 'string' },
        'ws-port': { type: 'string' },
        'no-rdm-audit': { type: 'boolean' },
        'rdm-audit-db': { type: 'string' },
        'rdm-audit-table': { type: 'string' },
        'rdm-max-rows': { type: 'string' },
        'events-db': { type: 'string' },
        'events-table': { type: 'string' },
        'events-max-age': { type: 'string' },
        'events-max-count': { type: 'string' },
        'events-prune-interval-ms': { type: 'string' },
        'models-file': { type: 'string' },
        'schema-sample-size': { type: 'string' },
        'schema-refresh-ms': { type: 'string' },
        ...SECURITY_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${usage}`);
  }
  if (values.help) return 'help';
  const file = values.config ?? env.RETHINKQL_CONFIG;
  if (file) {
    try {
      env = { ...readConfigFile(file, settingNames()), ...env };
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }

  const database = values['rethinkdb-url'] ? parseRethinkdbUrl(values['rethinkdb-url']) : databaseFromEnv(env);
  const pick = (flag: string | undefined, name: string): [string, string] | undefined => {
    if (flag !== undefined) return [`--${name}`, flag];
    const envName = name.toUpperCase().replace(/-/g, '_');
    const value = env[envName];
    return value !== undefined && value !== '' ? [envName, value] : undefined;
  };
  const int = (flag: string | undefined, name: string, fallback: number, min: number, max: number): number => {
    const found = pick(flag, name);
    return found ? integer(found[0], found[1], min, max) : fallback;
  };

  const graphqlPath = values['graphql-path'] ?? env.GRAPHQL_PATH ?? '/graphql';
  if (!/^\/[\w\-/]*$/.test(graphqlPath)) throw new ConfigError(`GRAPHQL_PATH must be a path like /graphql (got "${graphqlPath}")`);
  const maxLimit = int(values['max-limit'], 'max-limit', 1000, 1, 100_000);
  const defaultLimit = int(values['default-limit'], 'default-limit', Math.min(100, maxLimit), 1, 100_000);
  if (defaultLimit > maxLimit) throw new ConfigError(`DEFAULT_LIMIT (${defaultLimit}) must not exceed MAX_LIMIT (${maxLimit})`);

  // Production mode only changes defaults: an explicit GRAPHIQL, INTROSPECTION or CORS_ORIGINS wins.
  const production = values.production || (env.PRODUCTION ? boolean('PRODUCTION', env.PRODUCTION) : env.NODE_ENV === 'production');
  const switched = (on: boolean | undefined, off: boolean | undefined, name: string): boolean =>
    on ? true : off ? false : env[name] ? boolean(name, env[name]) : !production;
  const corsOrigins = pick(values['cors-origins'], 'cors-origins');
  const demo = values.demo ? true : values['no-demo'] ? false : env.DEMO ? boolean('DEMO', env.DEMO) : database.target.kind === 'embedded';
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const wsPort = pick(values['ws-port'], 'ws-port');
  const modelsFile = values['models-file'] ?? (env.MODELS_FILE || undefined);
  let models: TableModel[] = [];
  if (modelsFile) {
    try {
      models = readModelsFile(modelsFile);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  const auditEnv = env.RDM_AUDIT ? boolean('RDM_AUDIT', env.RDM_AUDIT) : true;
  // The gateway's names win over the RDM-era aliases, as RETHINKDB_URL wins over ReDB_HOST.
  const auditName = (flag: string | undefined, name: string, alias: string, fallback: string): [string, string] =>
    pick(flag, name) ?? (env[alias] ? [alias, env[alias]] : [alias, fallback]);
  let security: SecurityConfig;
  try {
    security = securityFrom({
      flags: values,
      env,
      pick,
      int: (source, value, min, max) => integer(source, value, min, max),
      bool: boolean,
      addresses: [host, ...(wsPort && /^(off|false|no|none)$/i.test(wsPort[1]) ? [] : [values['ws-host'] ?? (env.WS_HOST || host)])],
    });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError((error as Error).message);
  }
  return {
    host,
    port: int(values.port, 'port', 4000, 0, 65535),
    graphqlPath,
    database: database.target,
    defaultDb: values.db ?? env.RETHINKDB_DB ?? database.db ?? env.ReDB_DEFAULT_DB ?? 'test',
    defaultLimit,
    maxLimit,
    poolSize: int(values['pool-size'], 'pool-size', 4, 1, 64),
    production,
    graphiql: switched(values.graphiql, values['no-graphiql'], 'GRAPHIQL'),
    introspection: switched(values.introspection, values['no-introspection'], 'INTROSPECTION'),
    corsOrigins: corsOrigins ? parseOrigins(...corsOrigins) : production ? [] : ['*'],
    maxDepth: int(values['max-depth'], 'max-depth', 12, 1, 1000),
    maxAliases: int(values['max-aliases'], 'max-aliases', 100, 0, 100_000),
    maxTokens: int(values['max-tokens'], 'max-tokens', 5000, 100, 10_000_000),
    maxCost: int(values['max-cost'], 'max-cost', 5000, 1, 100_000_000),
    maxDirectives: int(values['max-directives'], 'max-directives', 50, 0, 100_000),
    maxRows: int(values['max-rows'], 'max-rows', 10 * maxLimit, 1, 100_000_000),
    maxBodyBytes: int(values['max-body-bytes'], 'max-body-bytes', 1_048_576, 1024, 1_073_741_824),
    dbWaitMs: int(values['db-wait-ms'], 'db-wait-ms', 5000, 0, 600_000),
    demo,
    wsHost: values['ws-host'] ?? (env.WS_HOST || host),
    wsPort: !wsPort ? 8765 : /^(off|false|no|none)$/i.test(wsPort[1]) ? null : integer(wsPort[0], wsPort[1], 0, 65535),
    rdmAudit: values['no-rdm-audit'] ? false : auditEnv,
    rdmAuditDb: storageName('database', auditName(values['rdm-audit-db'], 'rdm-audit-db', 'ReDB_AUDIT_DB', 'AUDIT')),
    rdmAuditTable: storageName('table', auditName(values['rdm-audit-table'], 'rdm-audit-table', 'ReDB_AUDIT_TABLE', 'rethink_data_manager')),
    rdmMaxRows: int(values['rdm-max-rows'], 'rdm-max-rows', 100_000, 1, 10_000_000),
    subscriberQueueSize: int(values['subscriber-queue-size'], 'subscriber-queue-size', 1000, 1, 1_000_000),
    eventsDb: storageName('database', pick(values['events-db'], 'events-db') ?? ['EVENTS_DB', 'rethinkql']),
    eventsTable: storageName('table', pick(values['events-table'], 'events-table') ?? ['EVENTS_TABLE', 'events']),
    eventsMaxAgeSeconds: int(values['events-max-age'], 'events-max-age', 86_400, 1, 10 * 365 * 86_400),
    eventsMaxCount: int(values['events-max-count'], 'events-max-count', 10_000, 1, 10_000_000),
    eventsPruneIntervalMs: int(values['events-prune-interval-ms'], 'events-prune-interval-ms', 60_000, 0, 86_400_000),
    replayWindowEvents: int(values['replay-window-events'], 'replay-window-events', 1000, 0, 1_000_000),
    replayWindowSeconds: int(values['replay-window-seconds'], 'replay-window-seconds', 300, 1, 86_400),
    resumeGraceSeconds: int(values['resume-grace-seconds'], 'resume-grace-seconds', 60, 0, 86_400),
    modelsFile,
    models,
    schemaSampleSize: int(values['schema-sample-size'], 'schema-sample-size', 100, 0, 100_000),
    schemaRefreshMs: int(values['schema-refresh-ms'], 'schema-refresh-ms', 5000, 0, 3_600_000),
    security,
  };
}

/** The environment variables the gateway reads, as listed in `usage` (one source of truth). */
function settingNames(): Set<string> {
  const names = [...usage.matchAll(/\[([A-Z][A-Z0-9_]*)(?:=[^\]]*)?\]/g)].map((match) => match[1] as string);
  return new Set(names.filter((name) => name !== 'RETHINKQL_CONFIG'));
}

/**
 * The defaults, with selected settings overridden (tests and embedding). Unlike the command line,
 * the legacy RDM listener is off (`wsPort: null`) unless asked for, so embedding the gateway or
 * running tests in parallel never binds its fixed port 8765.
 */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const config = loadConfig([], {});
  if (config === 'help') throw new Error('unreachable');
  return { ...config, wsPort: null, ...overrides };
}
