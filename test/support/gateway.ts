import { randomBytes } from 'node:crypto';
import { r } from 'rethinkdb-ts';
import { startApp, type App } from '../../src/app.js';
import { defaultConfig, parseRethinkdbUrl, type Config, type DatabaseTarget } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';

type ServerTarget = DatabaseTarget & { kind: 'external' };

/** The real RethinkDB server the suite runs on (RETHINKDB_URL, the second CI lane); undefined on the embedded reqlite. */
export const realServer: ServerTarget | undefined = process.env.RETHINKDB_URL ? parseRethinkdbUrl(process.env.RETHINKDB_URL).target : undefined;

/** The databases a gateway uses (its config's defaultDb, eventsDb and rdmAuditDb). */
export interface GatewayDatabases {
  readonly default: string;
  readonly events: string;
  readonly audit: string;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; locations?: { line: number; column: number }[]; extensions?: Record<string, unknown> }[];
  /** Subscriptions: `resumeToken` of the event. */
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  app: App;
  /** POSTs an operation (of the document, by `operationName` when it holds several) to the gateway over real HTTP and returns the parsed JSON body. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on errors and returns data. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The server holding the gateway's data (its embedded one, or RETHINKDB_URL's), for direct driver connections. */
  database: ServerTarget;
  /**
   * Its databases: the defaults (test, rethinkql, AUDIT) on its own embedded server; on a real
   * server testDb and events and audit databases of its own, dropped when it closes, so test files
   * running in parallel on one server never see each other's tables, events or audit rows.
   */
  dbs: GatewayDatabases;
  close(): Promise<void>;
}

// Database names unique to this test file: vitest evaluates this module once per file.
const fileToken = `rq_${randomBytes(3).toString('hex')}_${process.pid}`;
let databases = 0;

/**
 * This test file's default database: `test` on reqlite (every gateway has a server of its own).
 * On a real server a name of its own, shared by the file's gateways that are open at the same
 * time (like replicas) and dropped when the last of them closes, so the next one starts empty,
 * as on a fresh embedded server. RDM packets (support/rdm.ts) name it.
 */
export const testDb = realServer ? fileToken : 'test';

/** A database name no other test file or gateway uses (on a real server, drop it with dropDatabases when done). */
export function uniqueDatabase(): string {
  databases += 1;
  return `${fileToken}_${databases}`;
}

/** On a real server, whether `name` is a database of another test file (running at the same time, so coming and going). */
export function otherTestFilesDatabase(name: string): boolean {
  return realServer !== undefined && name.startsWith('rq_') && !name.startsWith(fileToken);
}

/** Databases a test creates besides the default one, dropped with it on a real server. */
const scratch = new Set<string>();

/** A database name for a test to create: `name` on reqlite; on a real server one of this file's own, dropped with testDb. */
export function scratchDb(name: string): string {
  if (!realServer) return name;
  const unique = `${fileToken}_${name}`;
  scratch.add(unique);
  return unique;
}

let usingTestDb = 0;

/**
 * On a real server, the database names a gateway gets unless the test chose them: testDb as its
 * default, and events and RDM audit databases of its own (so that, say, a gateway with the audit
 * off never sees another's). Returns them and the ones this gateway drops when it closes.
 */
function ownDatabases(overrides: Partial<Config>): { names: Partial<Config>; release(): string[] } {
  if (!realServer || overrides.database) return { names: {}, release: () => [] };
  const base = uniqueDatabase();
  const names: Partial<Config> = {
    ...(overrides.defaultDb === undefined ? { defaultDb: testDb } : {}),
    ...(overrides.eventsDb === undefined ? { eventsDb: `${base}_events` } : {}),
    ...(overrides.rdmAuditDb === undefined ? { rdmAuditDb: `${base}_audit` } : {}),
  };
  if (names.defaultDb) usingTestDb += 1;
  return {
    names,
    release() {
      const own = [names.eventsDb, names.rdmAuditDb].filter((name) => name !== undefined);
      if (!names.defaultDb) return own;
      usingTestDb -= 1;
      if (usingTestDb > 0) return own;
      const dropped = [testDb, ...scratch, ...own];
      scratch.clear();
      return dropped;
    },
  };
}

/** Drops `names` from the server (those that exist), over a connection of its own. */
export async function dropDatabases(server: ServerTarget, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const connection = await r.connect({ server: { host: server.host, port: server.port }, user: server.user, password: server.password, silent: true });
  try {
    const existing = new Set(await r.dbList().run(connection));
    for (const name of names) if (existing.has(name)) await r.dbDrop(name).run(connection);
  } finally {
    await connection.close();
  }
}

/** Overrides that start another gateway on `gw`'s data: the same server and databases (a second replica). */
export function sameDatabaseAs(gw: TestGateway): Partial<Config> {
  return { database: gw.database, defaultDb: gw.dbs.default, eventsDb: gw.dbs.events, rdmAuditDb: gw.dbs.audit };
}

/**
 * Starts the real gateway (the factory `npm start` uses) on a free port, with the embedded
 * database — or, as the second lane, the RethinkDB named by RETHINKDB_URL, in databases of its
 * own (see TestGateway.dbs; a test that passes `database` or the names keeps them). The legacy RDM
 * listener is off unless a test asks for it (`wsPort: 0` for a free port), so no test ever binds
 * its fixed default port. Queries close as soon as their last subscriber leaves
 * (`resumeGraceSeconds: 0`) so tests can check that nothing leaks; resume tests turn the grace
 * on. The schema is built once at start and not polled (`schemaRefreshMs: 0`, so no background
 * query disturbs the query counts tests make) unless a test asks for it; call
 * `app.schema.refresh()` to rebuild it now. Logs go to `log` (default: silent, or TEST_LOG_LEVEL).
 * Close it in afterAll/afterEach.
 */
export async function startTestGateway(overrides: Partial<Config> = {}, log: Logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')): Promise<TestGateway> {
  const owned = ownDatabases(overrides);
  const database = realServer ?? ({ kind: 'embedded' } as const);
  const config = defaultConfig({ port: 0, database, demo: false, wsPort: null, resumeGraceSeconds: 0, schemaRefreshMs: 0, ...owned.names, ...overrides });
  let app: App;
  try {
    app = await startApp(config, log);
  } catch (error) {
    if (realServer) await dropDatabases(realServer, owned.release());
    throw error;
  }
  // On its embedded server the gateway is ready (database, schema, declared tables) when started;
  // on an external one it prepares in the background: tests wait for the same state.
  if (!app.embedded && !overrides.database) await app.whenPrepared();
  const embedded = app.embedded;
  const target: ServerTarget = embedded ? { kind: 'external', host: embedded.host, port: embedded.port, user: embedded.user, password: embedded.password } : (config.database as ServerTarget);
  let closing: Promise<void> | undefined;
  const gql = async <T>(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse<T>> => {
    const response = await fetch(`http://127.0.0.1:${app.port}${app.server.yoga.graphqlEndpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables, operationName }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  return {
    app,
    gql,
    async ok<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const result = await gql<T>(query, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as T;
    },
    database: target,
    dbs: { default: config.defaultDb, events: config.eventsDb, audit: config.rdmAuditDb },
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await dropDatabases(target, owned.release());
      })()),
  };
}

let counter = 0;
/** A table name no other test in this process uses. */
export function uniqueTable(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
