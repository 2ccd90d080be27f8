import { Gate } from './auth/gate.js';
import { Unavailable } from './errors/domain.js';
import { backoffDelay } from './util/backoff.js';
import type { Config } from './config/config.js';
import { EventStore, openDataLayer, startEmbeddedServer, type DataLayer, type EmbeddedServer } from './db/index.js';
import { checkName } from './db/names.js';
import { demoModels, demoOperations, seedDemo } from './demo/seed.js';
import { DEMO_PATH, mountDemoPage } from './demo/page.js';
import { LiveSchema } from './graphql/live-schema.js';
import { TrustedDocuments } from './graphql/trusted-documents.js';
import { buildSchema } from './schema/index.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { startTracing, type Tracing } from './observability/tracing.js';
import { batchTracer, deliveryTracer, queryTracer, rdmPacketTracer } from './observability/tracing-hooks.js';
import { mountRdm, RdmTranslator, type RdmEndpoints } from './rdm/index.js';
import { createServer, type ExecutionTuning, type Server } from './http/server.js';
import { Channels } from './subscriptions/channels.js';
import { mountEventsRoute } from './http/events-route.js';
import { SubscriptionHub } from './subscriptions/hub.js';

/** A running gateway: database connection, HTTP/websocket server and, by default, the embedded database. */
export interface App {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly data: DataLayer;
  readonly metrics: Metrics;
  /** OpenTelemetry tracing; undefined when off (the default: see README, "Tracing"). */
  readonly tracing?: Tracing;
  /** The served schema; `refresh()` rebuilds it from the database now, `status()` says what it holds. */
  readonly schema: LiveSchema;
  /** The changefeed hub; `stats()` gives open feeds, distinct live queries and subscribers. */
  readonly subscriptions: SubscriptionHub;
  /** Publish/subscribe channels (`prune()` enforces the events retention now). */
  readonly channels: Channels;
  /** The embedded database, when no external one was configured. */
  readonly embedded?: EmbeddedServer;
  /** Address of the demo page (a live leaderboard over the seeded tables); undefined with the demo off. */
  readonly demoUrl?: string;
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
  // Declared models: the models file's; else, with the demo on, the demo leaderboard's.
  const models = config.models.length > 0 || config.modelsFile !== undefined || !config.demo ? config.models : demoModels();
  // The generic API and the declared models alone, before anything starts: a name collision
  // among the declarations stops the start here, with its message.
  const initialSchema = buildSchema(models).schema;
  const metrics = new Metrics();
  // Read before anything starts: manifests that cannot be read stop the start, naming the file.
  const trustedDocuments = config.trustedDocuments === undefined ? undefined : openTrustedDocuments(config.trustedDocuments, config, log, metrics);
  let embedded: EmbeddedServer | undefined;
  let target;
  if (config.database.kind === 'embedded') {
    embedded = await startEmbeddedServer();
    log.warn(
      { database: `${embedded.host}:${embedded.port}` },
      'using the embedded in-memory database (reqlite): data is lost when the gateway stops; set RETHINKDB_URL for a real RethinkDB',
    );
    target = { kind: 'external' as const, host: embedded.host, port: embedded.port, user: embedded.user, password: embedded.password };
  } else {
    target = config.database;
  }
  if (config.security.authMode === 'none') {
    log.warn(
      { host: config.host, insecure: config.security.insecure },
      'authentication is off (AUTH_MODE=none): every caller acts as the admin role; set AUTH_MODE=api-key or jwt for anything but local use',
    );
  }
  const tracing = startTracing(config.tracing, log);
  const data = openDataLayer({
    target,
    poolSize: config.poolSize,
    dbWaitMs: config.dbWaitMs,
    defaultLimit: config.defaultLimit,
    maxLimit: config.maxLimit,
    backend: config.database.kind === 'embedded' ? 'reqlite' : 'detect',
    coalesceWrites: tuning.coalesceWrites ?? true,
    log,
    onQuery: (seconds, ok) => metrics.databaseSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
    onBatch: (size) => metrics.loaderBatchSize.observe(size),
    onDriverFallback: (feature) => metrics.driverFallback.set({ feature }, 1),
    ...(tracing ? { traceQuery: queryTracer(tracing), traceBatch: batchTracer(tracing) } : {}),
    onFailover: (host) => metrics.dbFailovers.inc({ host }),
  });
  const schema = new LiveSchema(initialSchema, {
    data,
    db: config.defaultDb,
    declared: models,
    sampleSize: config.schemaSampleSize,
    refreshMs: config.schemaRefreshMs,
    log,
  });
  // Whenever the pool (re)connects, the default database is (re)created — the database may have
  // been down at start, or come back empty (reqlite keeps nothing on disk) — the demo seeded and
  // the schema rebuilt from the tables found. One preparation at a time: callers share the one in flight.
  let preparing: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const prepareDatabase = () =>
    (preparing ??= (async () => {
      data.catalog.invalidate();
      await data.catalog.ensureDatabase(config.defaultDb);
      if (config.demo && (await seedDemo(data, config.defaultDb))) {
        log.info(`demo leaderboard seeded into ${config.defaultDb}.boards and ${config.defaultDb}.players`);
      }
      await schema.refresh();
    })().finally(() => {
      preparing = undefined;
    }));
  // Just after a (re)start RethinkDB answers before its tables are loaded ("primary replica …
  // not available", retryable UNAVAILABLE): prepare again with backoff while the pool stays up.
  const prepareWhenAvailable = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prepareDatabase();
      } catch (error) {
        if (!(error instanceof Unavailable && error.details.retryable === true) || !data.pool.ready || closing) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, 2000)));
      }
    }
  };
  data.pool.on('ready', () => {
    prepareWhenAvailable().catch((error: unknown) => log.error({ err: error }, `could not prepare the default database "${config.defaultDb}"`));
  });
  const whenPrepared = async () => {
    await data.pool.whenReady(Number.POSITIVE_INFINITY);
    await prepareWhenAvailable();
  };
  // The embedded database is ours and local: be fully ready before serving. A schema that
  // cannot be built (a name collision) stops the start with its message.
  if (embedded) {
    try {
      await whenPrepared();
    } catch (error) {
      await data.close();
      await embedded.stop();
      await tracing?.shutdown();
      throw error;
    }
  }
  schema.start();

  const subscriptions = new SubscriptionHub({
    data,
    log,
    queueSize: config.subscriberQueueSize,
    maxLimit: config.maxLimit,
    replayWindowEvents: config.replayWindowEvents,
    replayWindowMs: config.replayWindowSeconds * 1000,
    resumeGraceMs: config.resumeGraceSeconds * 1000,
    onFeedReopened: () => metrics.feedReconnects.inc(),
    onDelivered: (count, queueDepth) => metrics.delivered(count, queueDepth),
    onFeedOpened: (table) => metrics.feedEventCounter(table),
    onResume: (outcome) => metrics.resumes.inc({ outcome }),
    ...(tracing ? { traceDelivery: deliveryTracer(tracing) } : {}),
  });
  metrics.observeSubscriptions(() => subscriptions.stats());
  const events = new EventStore(data.pool, data.catalog, data.documents, config.eventsDb, config.eventsTable, () =>
    log.info({ database: config.eventsDb, table: config.eventsTable }, 'created the channel events table'),
  );
  const channels = new Channels({
    store: events,
    hub: subscriptions,
    retention: { maxAgeMs: config.eventsMaxAgeSeconds * 1000, maxCount: config.eventsMaxCount },
    pruneIntervalMs: config.eventsPruneIntervalMs,
    replayPageSize: config.maxLimit,
    log,
  });
  const rdm = new RdmTranslator({ config, data, log, traceId: tracing && (() => tracing.activeTraceId()) });
  const gate = new Gate(config.security);
  let server: Server | undefined;
  let rdmEndpoints: RdmEndpoints;
  try {
    server = await createServer({ config, data, subscriptions, channels, log, metrics, rdm, gate, schema, graphiqlQuery: config.demo ? demoOperations : undefined, tuning, tracing, trustedDocuments });
    rdmEndpoints = await mountRdm({ server, translator: rdm, gate, config, log, ...(tracing ? { tracePacket: rdmPacketTracer(tracing) } : {}) });
    mountEventsRoute(server, { channels, gate, channelRules: config.security.channels, maxBodyBytes: config.maxBodyBytes, log });
    // The page shows the demo's players table, so it exists only where the demo does.
    if (config.demo) await mountDemoPage(server, { graphqlPath: config.graphqlPath });
  } catch (error) {
    schema.stop();
    trustedDocuments?.close();
    await server?.close();
    await data.close();
    await embedded?.stop();
    await tracing?.shutdown();
    throw error;
  }
  channels.start();
  trustedDocuments?.start();
  return {
    url: server.url,
    port: server.port,
    server,
    data,
    metrics,
    tracing,
    schema,
    subscriptions,
    channels,
    embedded,
    demoUrl: config.demo ? new URL(DEMO_PATH, server.url).href : undefined,
    legacyPort: rdmEndpoints.legacyPort,
    whenPrepared,
    close: () =>
      (closing ??= (async () => {
        schema.stop();
        trustedDocuments?.close();
        await rdmEndpoints.close();
        channels.close();
        await subscriptions.close();
        await server.close();
        await data.close();
        await embedded?.stop();
        await tracing?.shutdown();
      })()),
  };
}

/** The trusted documents of TRUSTED_DOCUMENTS, counted in the metrics (not yet watching: `start()`). */
function openTrustedDocuments(path: string, config: Config, log: Logger, metrics: Metrics): TrustedDocuments {
  return new TrustedDocuments({
    path,
    bypassRoles: config.trustedDocumentsBypassRoles,
    log,
    onLoaded: (documents) => metrics.trustedDocuments.set(documents),
    onReload: (ok) => metrics.trustedDocumentReloads.inc({ outcome: ok ? 'ok' : 'error' }),
  });
}
