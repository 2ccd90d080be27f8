import { startApp, type App } from '../../src/app.js';
import { defaultConfig, parseRethinkdbUrl, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; locations?: { line: number; column: number }[]; extensions?: Record<string, unknown> }[];
  /** Subscriptions: `resumeToken` of the event. */
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  app: App;
  /** POSTs an operation to the gateway over real HTTP and returns the parsed JSON body. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on errors and returns data. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts the real gateway (the factory `npm start` uses) on a free port, with the embedded
 * database — or, as an opt-in lane, the RethinkDB named by RETHINKDB_URL. The legacy RDM
 * listener is off unless a test asks for it (`wsPort: 0` for a free port), so no test ever binds
 * its fixed default port. Queries close as soon as their last subscriber leaves
 * (`resumeGraceSeconds: 0`) so tests can check that nothing leaks; resume tests turn the grace
 * on. The schema is built once at start and not polled (`schemaRefreshMs: 0`, so no background
 * query disturbs the query counts tests make) unless a test asks for it; call
 * `app.schema.refresh()` to rebuild it now. Close it in afterAll/afterEach.
 */
export async function startTestGateway(overrides: Partial<Config> = {}): Promise<TestGateway> {
  const database = process.env.RETHINKDB_URL ? parseRethinkdbUrl(process.env.RETHINKDB_URL).target : ({ kind: 'embedded' } as const);
  const config = defaultConfig({ port: 0, database, demo: false, wsPort: null, resumeGraceSeconds: 0, schemaRefreshMs: 0, ...overrides });
  const app = await startApp(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const response = await fetch(`http://127.0.0.1:${app.port}${app.server.yoga.graphqlEndpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
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
    close: () => app.close(),
  };
}

let counter = 0;
/** A table name no other test in this process uses. */
export function uniqueTable(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
