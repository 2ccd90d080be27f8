import type { SecurityConfig } from '../auth/settings.js';
import { readModelsFile } from '../models/declared.js';
import type { TableModel } from '../models/model.js';
import { legacyDatabase, type DatabaseTarget } from './database.js';
import { readConfigFile } from './file.js';
import { parseFlags, readSetting, readValues, type Env } from './read.js';
import { ConfigError, type ValuesOf } from './setting.js';
import { CONFIG_FILE, SECURITY, TOP_LEVEL, TRACING } from './settings/index.js';
import { securityFrom } from './settings/security.js';
import { tracingFrom, type TracingConfig } from './settings/tracing.js';
import { usage } from './usage.js';

export { ConfigError, parseFlags, usage };
export { parseRethinkdbUrl, type DatabaseTarget } from './database.js';
export type { TracingConfig } from './settings/tracing.js';

/** The fields of Config that rules below derive from several settings, or from a setting under another name. */
interface Derived {
  /** Where the gateway's RethinkDB lives: RETHINKDB_URL, else the RDM-era ReDB_* variables, else the embedded reqlite. */
  database: DatabaseTarget;
  /** Database used when a field's `db` argument is omitted; created at start if missing. --db / RETHINKDB_DB, else the URL's, else ReDB_DEFAULT_DB, else 'test'. */
  defaultDb: string;
  /** Rows a list query returns when it gives no `limit`. @default 100, or maxLimit if lower */
  defaultLimit: number;
  /** Most rows one operation may ask for: `limit`s, `ids` and inserted documents summed over all its fields (src/row-budget.ts). @default 10 x maxLimit */
  maxRows: number;
  /** Production mode (`--production`, PRODUCTION=true or NODE_ENV=production): changes the defaults of `graphiql`, `introspection` and `corsOrigins`. */
  production: boolean;
  /** Serve GraphiQL on GET of the GraphQL path. @default true, false in production mode */
  graphiql: boolean;
  /** Answer introspection queries (`__schema`, `__type`); when off, "Did you mean" suggestions are hidden too. @default true, false in production mode */
  introspection: boolean;
  /** Origins allowed to call the gateway from a browser (CORS); `['*']` allows any, `[]` none (same-origin pages only). @default ['*'], [] in production mode */
  corsOrigins: readonly string[];
  /** Seed a small leaderboard (boards, players) into the default database if those tables are absent. @default true with the embedded database */
  demo: boolean;
  /** Address of the legacy RDM websocket listener. @default the value of `host` (RDM used 0.0.0.0) */
  wsHost: string;
  /** Channel events older than this many seconds are deleted (EVENTS_MAX_AGE). */
  eventsMaxAgeSeconds: number;
  /** Declared models of tables of the default database (from `modelsFile`); they override inferred ones. @default [] */
  models: readonly TableModel[];
  /** Authentication, permissions, rate limits and connection caps (see README, "Security"). */
  security: SecurityConfig;
  /** OpenTelemetry traces, from the OTEL_* variables (see README, "Tracing"). @default off */
  tracing: TracingConfig;
}

/** Settings that only feed the rules (they are no field of Config under their own name). */
type Inputs = 'rethinkdbUrl' | 'db' | 'eventsMaxAge';

/**
 * Every setting of the gateway, in one typed object: the values of the settings table
 * (src/config/settings/, documented by their help) and the fields the rules derive. Read only here.
 */
export type Config = Omit<ValuesOf<typeof TOP_LEVEL>, Inputs | keyof Derived> & Derived;

/**
 * Builds the configuration from command-line arguments, environment variables and the config
 * file (flags win over the environment, which wins over the file).
 * Returns `'help'` when help was asked for. Throws ConfigError naming the bad setting.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: Env = process.env): Config | 'help' {
  const flags = parseFlags(argv);
  if (flags.help) return 'help';
  const file = readSetting('config', CONFIG_FILE.config, flags, env);
  if (file) env = { ...readConfigFile(file), ...env };
  const values = readValues(TOP_LEVEL, flags, env);
  const { rethinkdbUrl, db, eventsMaxAge, ...plain } = values;
  const { maxLimit, host, wsPort } = plain;

  const database: { target: DatabaseTarget; db?: string } = rethinkdbUrl ?? legacyDatabase(env) ?? { target: { kind: 'embedded' } };
  const defaultLimit = values.defaultLimit ?? Math.min(100, maxLimit);
  if (defaultLimit > maxLimit) throw new ConfigError(`DEFAULT_LIMIT (${defaultLimit}) must not exceed MAX_LIMIT (${maxLimit})`);
  // Production mode only changes defaults: an explicit GRAPHIQL, INTROSPECTION or CORS_ORIGINS wins.
  const production = values.production ?? env.NODE_ENV === 'production';
  const wsHost = values.wsHost ?? host;
  return {
    ...plain,
    database: database.target,
    defaultDb: db ?? database.db ?? env.ReDB_DEFAULT_DB ?? 'test',
    defaultLimit,
    maxRows: values.maxRows ?? 10 * maxLimit,
    production,
    graphiql: values.graphiql ?? !production,
    introspection: values.introspection ?? !production,
    corsOrigins: values.corsOrigins ?? (production ? [] : ['*']),
    demo: values.demo ?? database.target.kind === 'embedded',
    wsHost,
    eventsMaxAgeSeconds: eventsMaxAge,
    models: declaredModels(values.modelsFile),
    security: securityFrom(readValues(SECURITY, flags, env), wsPort === null ? [host] : [host, wsHost]),
    tracing: tracingFrom(readValues(TRACING, flags, env)),
  };
}

function declaredModels(path: string | undefined): TableModel[] {
  try {
    return path ? readModelsFile(path) : [];
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
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
