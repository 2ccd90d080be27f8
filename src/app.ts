import type { Config } from './config.js';
import { openDataLayer, startEmbeddedServer, type DataLayer, type EmbeddedServer } from './db/index.js';
import { checkName } from './db/names.js';
import { createLogger, type Logger } from './logger.js';
import { createServer, type Server } from './server.js';
import { SubscriptionHub } from './subscriptions/hub.js';

/** A running gateway: database connection, HTTP/websocket server and, by default, the embedded database. */
export interface App {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly data: DataLayer;
  /** The changefeed hub; `stats()` gives open feeds, distinct live queries and subscribers. */
  readonly subscriptions: SubscriptionHub;
  /** The embedded database, when no external one was configured. */
  readonly embedded?: EmbeddedServer;
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
 * `/ready` says false until it connects.
 */
export async function startApp(config: Config, log: Logger = createLogger()): Promise<App> {
  checkName('database', config.defaultDb);
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
  const data = openDataLayer({ target, poolSize: config.poolSize, defaultLimit: config.defaultLimit, maxLimit: config.maxLimit, log });
  const prepareDefaultDb = async () => {
    await data.pool.whenReady(Number.POSITIVE_INFINITY);
    await data.catalog.ensureDatabase(config.defaultDb);
  };
  if (embedded) await prepareDefaultDb();
  else void prepareDefaultDb().catch((error: unknown) => log.error({ err: error }, `could not create the default database "${config.defaultDb}"`));

  const subscriptions = new SubscriptionHub({ data, log, queueSize: config.subscriberQueueSize, maxLimit: config.maxLimit });
  let server: Server;
  try {
    server = await createServer({ config, data, subscriptions, log });
  } catch (error) {
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
    subscriptions,
    embedded,
    close: () =>
      (closing ??= (async () => {
        await subscriptions.close();
        await server.close();
        await data.close();
        await embedded?.stop();
      })()),
  };
}
