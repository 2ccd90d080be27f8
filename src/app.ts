import { Gate } from './auth/gate.js';
import type { Config } from './config.js';
import { openDataLayer, startEmbeddedServer, type DataLayer, type EmbeddedServer } from './db/index.js';
import { checkName } from './db/names.js';
import { demoOperations, seedDemo } from './demo.js';
import { mountDemoPage } from './demo-page/routes.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { mountRdm, RdmTranslator, type RdmEndpoints } from './rdm/index.js';
import { createServer, type ExecutionTuning, type Server } from './server.js';
import { SubscriptionHub } from './subscriptions/hub.js';

/** A running gateway: database connection, HTTP/websocket server and, by default, the embedded database. */
export interface App {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly data: DataLayer;
  readonly metrics: Metrics;
  /** The changefeed hub; `stats()` gives open feeds, distinct live queries and subscribers. */
  readonly subscriptions: SubscriptionHub;
  /** The embedded database, when no external one was configured. */
  readonly embedded?: EmbeddedServer;
  /** Port of the legacy RDM listener (config.wsPort; 0 resolved to the real port); undefined when off. */
  readonly legacyPort?: number;
  /** Resolves once the database is reachable and the default database (and demo) prepared. */
  whenPrepared(): Promise<void>;
  /**
   * Completes every subscription (graphql-ws clients get `complete`, SSE streams end), closes
   * feeds, stops the server, closes connections, stops the embedded database. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Starts the whole gateway from a config: what `npm start` runs and what integration tests use.
 * With `database.kind === 'embedded'` it starts reqlite on a free loopback port first. An
 * external database that is unreachable does not stop the start: the pool keeps retrying and
 * `/ready` says false until it connects. `tuning` changes how GraphQL runs (benchmarks compare
 * variants); the defaults are what the gateway serves with.
 */
export async function startApp(config: Config, log: Logger = createLogger(), tuning: ExecutionTuning = {}): Promise<App> {
  checkName('database', config.defaultDb);
  checkName('database', config.rdmAuditDb);
  checkName('table', config.rdmAuditTable);
  let embedded: EmbeddedServer | undefined;
  let target;
  if (config.database.kind === 'embedded') {
    embedded = await startEmbeddedServer();
    log.warn(
      { database: `${embedded.host}:${embedded.port}` },
      'using the embedded in-memory database (reqlite): data is lost when the gateway stops; set RETHINKDB_URL for a real RethinkDB',
    );
    target = { kind: 'external' as const, host: embedded.host, port: embedded.port, user: 'admin', password: '' };
  } else {
    target = config.database;
  }
  if (config.security.authMode === 'none') {
    log.warn(
      { host: config.host, insecure: config.security.insecure },
      'authentication is off (AUTH_MODE=none): every caller acts as the admin role; set AUTH_MODE=api-key or jwt for anything but local use',
    );
  }
  const metrics = new Metrics();
  const data = openDataLayer({
    target,
    poolSize: config.poolSize,
    dbWaitMs: config.dbWaitMs,
    defaultLimit: config.defaultLimit,
    maxLimit: config.maxLimit,
    log,
    onQuery: (seconds, ok) => metrics.databaseSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
    onBatch: (size) => metrics.loaderBatchSize.observe(size),
  });
  // Whenever the pool (re)connects, the default database is (re)created — the database may have
  // been down at start, or come back empty (reqlite keeps nothing on disk) — and the demo seeded.
  // One preparation at a time: callers share the one in flight.
  let preparing: Promise<void> | undefined;
  const prepareDatabase = () =>
    (preparing ??= (async () => {
      data.catalog.invalidate();
      await data.catalog.ensureDatabase(config.defaultDb);
      if (config.demo && (await seedDemo(data, config.defaultDb))) {
        log.info(`demo leaderboard seeded into ${config.defaultDb}.boards and ${config.defaultDb}.players`);
      }
    })().finally(() => {
      preparing = undefined;
    }));
  data.pool.on('ready', () => {
    prepareDatabase().catch((error: unknown) => log.error({ err: error }, `could not prepare the default database "${config.defaultDb}"`));
  });
  const whenPrepared = async () => {
    await data.pool.whenReady(Number.POSITIVE_INFINITY);
    await prepareDatabase();
  };
  // The embedded database is ours and local: be fully ready before serving.
  if (embedded) await whenPrepared();

  const subscriptions = new SubscriptionHub({
    data,
    log,
    queueSize: config.subscriberQueueSize,
    maxLimit: config.maxLimit,
    onFeedReopened: () => metrics.feedReconnects.inc(),
    onDelivered: (count) => metrics.eventsDelivered.inc(count),
  });
  metrics.observeSubscriptions(() => subscriptions.stats());
  const rdm = new RdmTranslator({ config, data, log });
  const gate = new Gate(config.security);
  let server: Server | undefined;
  let rdmEndpoints: RdmEndpoints;
  try {
    server = await createServer({ config, data, subscriptions, log, metrics, rdm, gate, graphiqlQuery: config.demo ? demoOperations : undefined, tuning });
    rdmEndpoints = await mountRdm({ server, translator: rdm, gate, config, log });
    // The page shows the demo's players table, so it exists only where the demo does.
    if (config.demo) await mountDemoPage(server, { graphqlPath: config.graphqlPath });
  } catch (error) {
    await server?.close();
    await data.close();
    await embedded?.stop();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    server,
    data,
    metrics,
    subscriptions,
    embedded,
    legacyPort: rdmEndpoints.legacyPort,
    whenPrepared,
    close: () =>
      (closing ??= (async () => {
        await rdmEndpoints.close();
        await subscriptions.close();
        await server.close();
        await data.close();
        await embedded?.stop();
      })()),
  };
}
