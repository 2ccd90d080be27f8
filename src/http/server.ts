import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WsGuard } from '../auth/ws-guard.js';
import type { GatewayYoga } from '../graphql/context.js';
import { createGraphqlWs } from '../graphql/graphql-ws.js';
import { createOperationContexts } from '../graphql/operation-context.js';
import { createRequestListener, createUpgradeListener, type RequestHandler, type Routes, type UpgradeHandler } from './router.js';
import { createGatewayYoga, staticSchema, type ServerOptions } from './yoga.js';

export type { RequestHandler, UpgradeHandler } from './router.js';
export type { ExecutionTuning, ServerOptions } from './yoga.js';

/** A running gateway HTTP server. */
export interface Server {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  readonly port: number;
  readonly yoga: GatewayYoga;
  /** Handles websocket upgrades on `path` (the GraphQL path is taken by graphql-ws). */
  onUpgrade(path: string, handler: UpgradeHandler): void;
  /** Handles plain HTTP requests whose path starts with `prefix` (before GraphQL). */
  onRequest(prefix: string, handler: RequestHandler): void;
  /** Stops accepting, closes websockets and open HTTP connections. */
  close(): Promise<void>;
}

/**
 * Builds and starts the gateway's single HTTP server: GraphQL over HTTP and SSE (yoga, with
 * GraphiQL), graphql-ws on the same path, `/health` and `/ready`, and routes added with
 * `onRequest` / `onUpgrade` (src/http/router.ts). Listens on `config.host:config.port` (port 0: a free one).
 */
export async function createServer(options: ServerOptions): Promise<Server> {
  const { config, log, metrics, gate } = options;
  const schema = options.schema ?? staticSchema();
  // One context builder for yoga, the fast path and graphql-ws (src/graphql/operation-context.ts).
  const contexts = createOperationContexts(options);
  const yoga = createGatewayYoga({ ...options, schema, contexts });
  const routes: Routes = { requests: new Map(), upgrades: new Map() };
  const fastPath = options.tuning?.fastPath ?? true;
  const httpServer = createHttpServer(createRequestListener({ ...options, yoga, contexts, schema, fastPath, routes }));

  // graphql-ws on the GraphQL path (src/graphql/graphql-ws.ts).
  const graphqlWs = createGraphqlWs({ yoga, contexts, guard: new WsGuard(gate, config.security, log), metrics, maxPayload: config.maxBodyBytes, log, tracing: options.tracing, trusted: options.trustedDocuments });
  routes.upgrades.set(config.graphqlPath, graphqlWs.handleUpgrade);
  httpServer.on('upgrade', createUpgradeListener(routes.upgrades));

  httpServer.on('connection', (socket) => {
    metrics.connections.inc({ transport: 'tcp' });
    socket.once('close', () => metrics.connections.dec({ transport: 'tcp' }));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(config.host) ? 'localhost' : config.host;

  return {
    url: `http://${shownHost}:${port}${config.graphqlPath}`,
    port,
    yoga,
    onUpgrade: (path, handler) => routes.upgrades.set(path, handler),
    onRequest: (prefix, handler) => routes.requests.set(prefix, handler),
    async close() {
      // dispose() sends close 1001 to every websocket and waits for them to close; a client that
      // never answers would hold it for ws's 30 s close timeout, so it gets a bounded grace.
      await withGrace(graphqlWs.dispose(), CLOSE_GRACE_MS);
      graphqlWs.terminateAll();
      // Idle keep-alive connections (including ended SSE streams) close now; busy ones get the grace.
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      await withGrace(closed, CLOSE_GRACE_MS);
      httpServer.closeAllConnections();
      await closed;
    },
  };
}

/** How long close() lets clients finish (websocket close handshake, responses in flight). */
const CLOSE_GRACE_MS = 1000;

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function withGrace(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
