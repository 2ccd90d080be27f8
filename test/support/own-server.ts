import { afterEach } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { SocketTracker } from './rdm.js';
import { startRethinkdbServer, type RethinkdbServer } from './rethinkdb-server.js';
import { WsClients } from './subscriptions.js';

/** What a test file on RethinkDB servers of its own uses; everything it starts is closed after each test. */
export interface OwnServerSuite {
  readonly clients: WsClients;
  readonly sockets: SocketTracker;
  /** Registers something to close after the test (closed in reverse order, after the clients). */
  later(close: () => unknown): void;
  /** A real RethinkDB server of the test's own (never the suite's shared one), stopped and its data removed afterwards. */
  ownServer(): Promise<RethinkdbServer>;
  /** A gateway on `server` with the default database names there (`overrides` on top), once prepared (database, tables, schema). */
  gatewayOn(server: RethinkdbServer, overrides?: Partial<Config>): Promise<TestGateway>;
}

/** Registers the afterEach cleanup of a test file that starts its own RethinkDB servers (see rethinkdb-server.ts) and returns its helpers. */
export function ownServerSuite(): OwnServerSuite {
  const clients = new WsClients();
  const sockets = new SocketTracker();
  const leftovers: (() => unknown)[] = [];
  afterEach(async () => {
    await clients.closeAll();
    sockets.closeAll();
    for (const close of leftovers.splice(0).reverse()) await close();
  });
  const later = (close: () => unknown) => void leftovers.push(close);
  return {
    clients,
    sockets,
    later,
    async ownServer() {
      const server = await startRethinkdbServer();
      later(() => server.stop());
      return server;
    },
    async gatewayOn(server, overrides = {}) {
      const gw = await startTestGateway({ database: server.target, ...overrides });
      later(() => gw.close());
      await gw.app.whenPrepared();
      return gw;
    },
  };
}
