import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance, type YogaServerOptions } from 'graphql-yoga';
import { sendRefusal, type Gate } from '../auth/gate.js';
import { ANONYMOUS_ADMIN, type Identity } from '../auth/identity.js';
import { WsGuard } from '../auth/ws-guard.js';
import type { Config } from '../config/config.js';
import type { Context } from '../graphql/context.js';
import type { DataLayer } from '../db/index.js';
import { createErrorMasker } from '../graphql/plugins/error-masking.js';
import { Unauthenticated } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { answerFastQuery } from './fast-query.js';
import { createGraphqlWs } from '../graphql/graphql-ws.js';
import { sendJson } from './body.js';
import { limitPlugins } from '../graphql/plugins/limits.js';
import { useMetrics } from '../graphql/plugins/metrics.js';
import type { RdmTranslator } from '../rdm/translator.js';
import { requestIdOf } from './request-id.js';
import type { SchemaSource } from '../graphql/live-schema.js';
import { useResumeTokens } from '../graphql/plugins/resume-tokens.js';
import { useRowBudget } from '../graphql/plugins/row-budget.js';
import { buildSchema } from '../schema/index.js';
import type { Channels } from '../subscriptions/channels.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';

/** A running gateway HTTP server. */
export interface Server {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  readonly port: number;
  readonly yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** Handles websocket upgrades on `path` (the GraphQL path is taken by graphql-ws). */
  onUpgrade(path: string, handler: UpgradeHandler): void;
  /** Handles plain HTTP requests whose path starts with `prefix` (before GraphQL). */
  onRequest(prefix: string, handler: RequestHandler): void;
  /** Stops accepting, closes websockets and open HTTP connections. */
  close(): Promise<void>;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface ServerOptions {
  config: Config;
  data: DataLayer;
  subscriptions: SubscriptionHub;
  /** Publish/subscribe channels (the `publish` mutation and `channel` subscription). */
  channels: Channels;
  log: Logger;
  metrics: Metrics;
  /** Answers the GraphQL `rdm` field (the HTTP and websocket RDM routes are added with onRequest/onUpgrade). */
  rdm: RdmTranslator;
  /** Authentication, rate limits and connection caps for every way in. */
  gate: Gate;
  /** Operations preloaded in GraphiQL (default: a short welcome query). */
  graphiqlQuery?: string;
  /** How GraphQL runs; the defaults are what the gateway serves with. */
  tuning?: ExecutionTuning;
  /** The schema to serve, which may change at runtime (the app's LiveSchema). @default the generic API alone */
  schema?: SchemaSource;
}

/** The generic API alone, for servers given no schema source (benchmarks). */
function staticSchema(): SchemaSource {
  const schema = buildSchema();
  const builtAt = new Date().toISOString();
  return { current: schema, status: () => ({ version: 0, builtAt, tables: [] }) };
}

/**
 * Serves `source.current` to every operation: envelop asks each plugin when an operation starts
 * (HTTP, SSE, and graphql-ws through `yoga.getEnveloped`), so a rebuilt schema is used from the
 * next operation on, while running ones (open subscriptions) keep the schema they started with.
 * Parse/validate caches are per schema, so nothing validated against an old schema is reused.
 */
function useLiveSchema(source: SchemaSource) {
  return {
    onEnveloped({ setSchema }: { setSchema: (schema: typeof source.current) => void }) {
      setSchema(source.current);
    },
  };
}

const exampleQuery = `# Welcome to rethinkql. Try:
query Explore {
  databases
  tables { name primaryKey }
}
`;

/** How the GraphQL layer runs; the defaults are what the gateway serves with (bench/run.ts compares variants). */
export interface ExecutionTuning {
  /** Yoga's parse/validate cache of valid documents. @default true */
  cache?: boolean;
  /** More envelop plugins, after the gateway's own (benchmarks try e.g. `@envelop/graphql-jit`). @default [] */
  plugins?: YogaServerOptions<Record<string, unknown>, Context>['plugins'];
  /**
   * Yoga's own request-body limit, which pipes every body through a TransformStream (an
   * AbortController and DOMException per request). Redundant behind `createServer`, which
   * refuses POSTs without a Content-Length or over `maxBodyBytes` before yoga sees them, and
   * Node's HTTP parser never reads past the Content-Length. @default false
   */
  streamedBodyLimit?: boolean;
  /** Send the database queries of one event-loop turn in one socket write (src/db/pool.ts). @default true */
  coalesceWrites?: boolean;
  /** Answer plain JSON queries through envelop without yoga's Fetch API adaptation (src/fast-query.ts). @default true */
  fastPath?: boolean;
}

/**
 * The gateway's yoga instance over the real schema: plugins, limits, error masking, metrics and
 * the per-request context (fresh DataLoaders). `requestIdFor` gives the id the HTTP server
 * assigned to a Node request (undefined: a fresh UUID), `identityFor` whom the gate admitted it
 * as (graphql-ws passes `identity` in the initial context instead). No identity while
 * authentication is required fails the operation (fail closed). No listening: `createServer` mounts it.
 */
export function createGatewayYoga(
  { config, data, subscriptions, channels, log, metrics, rdm, gate, graphiqlQuery = exampleQuery, tuning = {}, schema = staticSchema() }: ServerOptions,
  requestIdFor: (request: IncomingMessage) => string | undefined = () => undefined,
  identityFor: (request: IncomingMessage) => Identity | undefined = () => undefined,
): YogaServerInstance<Record<string, unknown>, Context> {
  const { cache = true, plugins = [], streamedBodyLimit = false } = tuning;
  return createYoga<Record<string, unknown>, Context>({
    schema: schema.current,
    graphqlEndpoint: config.graphqlPath,
    graphiql: config.graphiql ? { title: 'rethinkql', defaultQuery: graphiqlQuery } : false,
    // GraphiQL with its assets inlined from the npm package: it works offline, no CDN.
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    plugins: [useLiveSchema(schema), ...limitPlugins(config), useRowBudget(config), useMetrics(metrics), useResumeTokens(), ...plugins],
    // Parse errors are not cached: a cached one is thrown before the metrics plugin sees it, so
    // only the first of many identical refused documents would be counted. Re-parsing is cheap
    // (MAX_TOKENS bounds it); valid documents stay cached.
    parserAndValidationCache: cache ? { errorCache: { get: () => undefined, set: () => undefined } } : false,
    maxRequestBodySize: streamedBodyLimit ? config.maxBodyBytes : false,
    cors: corsOptions(config.corsOrigins),
    context: (initial) => {
      // HTTP and SSE: the Node request (`req`); graphql-ws: the upgrade request, passed in onSubscribe.
      const req = initial.req as IncomingMessage | undefined;
      const requestId = (req && requestIdFor(req)) ?? randomUUID();
      // HTTP and SSE only: graphql-ws passes no Fetch request (and resumes with resumeFrom).
      const lastEventId = initial.request?.headers.get('last-event-id') ?? undefined;
      const identity = (initial.identity as Identity | undefined) ?? (req && identityFor(req)) ?? (gate.authenticator.required ? undefined : ANONYMOUS_ADMIN);
      if (!identity) throw new Unauthenticated('authentication required');
      return { config, data, subscriptions, channels, loaders: data.createLoaders(), requestId, log: log.child({ requestId }), rdm, lastEventId, identity };
    },
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error(args.map(String).join(' ')),
    },
  });
}

/**
 * Builds and starts the gateway's single HTTP server: GraphQL over HTTP and SSE (yoga, with
 * GraphiQL), graphql-ws on the same path, `/health` and `/ready`, and routes added with
 * `onRequest` / `onUpgrade`. Listens on `config.host:config.port` (port 0: a free one).
 */
export async function createServer(options: ServerOptions): Promise<Server> {
  const { config, data, log, metrics, gate } = options;
  const fastPath = options.tuning?.fastPath ?? true;
  const schemaSource = options.schema ?? staticSchema();
  const requestIds = new WeakMap<IncomingMessage, string>();
  const identities = new WeakMap<IncomingMessage, Identity>();
  const yoga = createGatewayYoga({ ...options, schema: schemaSource }, (request) => requestIds.get(request), (request) => identities.get(request));

  const requestRoutes = new Map<string, RequestHandler>();
  const upgradeRoutes = new Map<string, UpgradeHandler>();

  const httpServer = createHttpServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const requestId = requestIdOf(request);
    requestIds.set(request, requestId);
    response.setHeader('x-request-id', requestId);
    try {
      if (path === '/health') return sendJson(response, 200, { status: 'ok' });
      if (path === '/metrics') {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        return response.end(await metrics.registry.metrics());
      }
      if (path === '/ready') {
        const ready = await data.pool.ping();
        return sendJson(response, ready ? 200 : 503, { ready, database: ready ? 'reachable' : 'unreachable', schema: schemaSource.status() });
      }
      for (const [prefix, handler] of requestRoutes) {
        if (path === prefix || path.startsWith(`${prefix}/`)) return await handler(request, response);
      }
      if (request.method === 'POST') {
        const length = Number(request.headers['content-length']);
        if (request.headers['content-length'] === undefined) {
          return sendJson(response, 411, { errors: [{ message: 'a POST body needs a Content-Length header' }] });
        }
        if (length > config.maxBodyBytes) {
          request.resume();
          return sendJson(response, 413, { errors: [{ message: `request body of ${length} bytes exceeds the limit of ${config.maxBodyBytes}` }] });
        }
      }
      // The GraphiQL page itself is public (its requests carry the credential); everything else is gated.
      const graphiqlPage = request.method === 'GET' && config.graphiql && (request.headers.accept ?? '').includes('text/html');
      if (!graphiqlPage) {
        try {
          identities.set(request, await gate.admitRequest(request));
        } catch (error) {
          request.resume();
          return sendRefusal(response, error);
        }
      }
      if (path === config.graphqlPath && fastPath && (await answerFastQuery(yoga, request, response, identities.get(request), config.maxBodyBytes))) return;
      return await yoga(request, response);
    } catch (error) {
      log.error({ err: error, path, requestId }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Unexpected error.' }] });
      else response.destroy();
    }
  });

  // graphql-ws on the GraphQL path (src/graphql-ws.ts).
  const graphqlWs = createGraphqlWs({ yoga, guard: new WsGuard(gate, config.security, log), metrics, maxPayload: config.maxBodyBytes });
  upgradeRoutes.set(config.graphqlPath, graphqlWs.handleUpgrade);

  httpServer.on('connection', (socket) => {
    metrics.connections.inc({ transport: 'tcp' });
    socket.once('close', () => metrics.connections.dec({ transport: 'tcp' }));
  });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const handler = upgradeRoutes.get(path) ?? [...upgradeRoutes].find(([prefix]) => path.startsWith(`${prefix}/`))?.[1];
    if (handler) return handler(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
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
    onUpgrade: (path, handler) => upgradeRoutes.set(path, handler),
    onRequest: (prefix, handler) => requestRoutes.set(prefix, handler),
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

/**
 * Yoga's CORS option for an origin list: any origin (reflected) for `['*']`, no CORS headers at
 * all for `[]` (browsers then allow same-origin pages only), else the listed origins — a request
 * from any other origin gets no CORS headers, so the browser refuses it. No credentials
 * (cookies): nothing in the gateway reads them.
 */
function corsOptions(origins: readonly string[]): YogaServerOptions<Record<string, unknown>, Context>['cors'] {
  if (origins.length === 0) return false;
  if (origins.includes('*')) return { origin: '*', credentials: false };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin && origins.includes(origin) ? { origin: [origin], credentials: false } : false;
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
