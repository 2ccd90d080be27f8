import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Gate } from '../auth/gate.js';
import type { Config } from '../config/config.js';
import type { DataLayer } from '../db/index.js';
import { UNEXPECTED_MESSAGE } from '../errors/codes.js';
import { graphqlRefusalBody, httpRefusalOf } from '../errors/http.js';
import type { GatewayYoga, ServerContext } from '../graphql/context.js';
import type { OperationContexts } from '../graphql/operation-context.js';
import type { TrustedDocuments } from '../graphql/trusted-documents.js';
import type { SchemaSource, SchemaStatus } from '../graphql/live-schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { traceRequests } from '../observability/tracing-hooks.js';
import { sendJson } from './body.js';
import { answerFastQuery } from './fast-query.js';
import { createGraphiqlPage } from './graphiql-page.js';
import { requestIdOf } from './request-id.js';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Routes added at runtime: plain HTTP by path prefix (before GraphQL), websocket upgrades by path. */
export interface Routes {
  readonly requests: Map<string, RequestHandler>;
  readonly upgrades: Map<string, UpgradeHandler>;
}

export interface RouterOptions {
  config: Config;
  data: DataLayer;
  log: Logger;
  metrics: Metrics;
  gate: Gate;
  yoga: GatewayYoga;
  /** Builds each operation's context (the fast path builds it whole). */
  contexts: OperationContexts;
  /** What `/ready` reports as the served schema. */
  schema: SchemaSource;
  /** Answer plain JSON queries on the fast path (src/http/fast-query.ts). */
  fastPath: boolean;
  routes: Routes;
  /** OpenTelemetry tracing: a span per request (absent: off, the listener is not wrapped). */
  tracing?: Tracing;
  /** Trusted documents, which the fast path honours as yoga does. @default off */
  trustedDocuments?: TrustedDocuments;
}

/**
 * What the unauthenticated `/ready` says of the served schema: its version, when it was built and
 * how many tables are typed or left out, never their names (the database's layout is not public;
 * the log and `App.schema.status()` name them).
 */
function publicSchemaStatus(status: SchemaStatus) {
  return {
    version: status.version,
    builtAt: status.builtAt,
    typedTables: status.tables.length,
    skippedTables: status.skipped?.length ?? 0,
    ...(status.lastError !== undefined ? { refreshFailed: true } : {}),
  };
}

/** The request path without its query string. */
function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}

/**
 * The HTTP server's request listener: `/health`, `/metrics`, `/ready`, then the added routes by
 * prefix, then GraphQL — bodies checked by Content-Length, the gate (the GraphiQL page itself is
 * public), the fast path, else yoga, with the request id and identity in yoga's server context.
 * Every response carries `x-request-id`; an unexpected failure is logged and answered 500.
 * With tracing on, every request but the probes runs in a span (observability/tracing-hooks.ts).
 */
export function createRequestListener({ config, data, log, metrics, gate, yoga, contexts, schema, fastPath, routes, tracing, trustedDocuments }: RouterOptions) {
  const servePage = createGraphiqlPage(yoga, config.graphqlPath);
  const listener = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = pathOf(request);
    /** Charges the per-address rate limit for an unauthenticated route; true when refused (and answered). */
    const overLimit = (): boolean => {
      try {
        gate.chargeAnonymous(request);
        return false;
      } catch (error) {
        request.resume();
        const refusal = httpRefusalOf(error);
        sendJson(response, refusal.status, graphqlRefusalBody(refusal), refusal.headers);
        return true;
      }
    };
    const requestId = requestIdOf(request);
    response.setHeader('x-request-id', requestId);
    try {
      if (path === '/health') return sendJson(response, 200, { status: 'ok' });
      if (path === '/metrics') {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(await metrics.registry.metrics());
        return;
      }
      if (path === '/ready') {
        if (overLimit()) return;
        const ready = await data.pool.ping();
        const hosts = data.pool.hostStatus();
        // One host: the body as before clusters; several: each host's state too, by its position in
        // RETHINKDB_URL, not its address (the network layout is not public; the log names hosts).
        const cluster = hosts.length > 1 ? { hosts: hosts.map(({ state, connections, feeds, queries }, index) => ({ position: index + 1, state, connections, feeds, queries })) } : {};
        return sendJson(response, ready ? 200 : 503, { ready, database: ready ? 'reachable' : 'unreachable', ...cluster, schema: publicSchemaStatus(schema.status()) });
      }
      for (const [prefix, handler] of routes.requests) {
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
      const serverContext: ServerContext = { req: request, requestId };
      // The GraphiQL page itself is public (its requests carry the credential); everything else is gated.
      const graphiqlPage = request.method === 'GET' && config.graphiql && (request.headers.accept ?? '').includes('text/html');
      if (graphiqlPage && path === config.graphqlPath) {
        if (overLimit()) return;
        return await servePage(request, response);
      }
      if (!graphiqlPage) {
        try {
          serverContext.identity = await gate.admitRequest(request);
        } catch (error) {
          request.resume();
          const refusal = httpRefusalOf(error);
          return sendJson(response, refusal.status, graphqlRefusalBody(refusal), refusal.headers);
        }
      }
      if (path === config.graphqlPath && fastPath && (await answerFastQuery({ yoga, contexts, maxBodyBytes: config.maxBodyBytes, trusted: trustedDocuments }, request, response, serverContext))) return;
      return await yoga.handle(request, response, serverContext);
    } catch (error) {
      log.error({ err: error, path, requestId }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: UNEXPECTED_MESSAGE }] });
      else response.destroy();
    }
  };
  return tracing ? traceRequests(tracing, listener) : listener;
}

/** The HTTP server's upgrade listener: the handler of the exact path, else the first one whose path is a prefix of it; else 404. */
export function createUpgradeListener(upgrades: Map<string, UpgradeHandler>) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = pathOf(request);
    const handler = upgrades.get(path) ?? [...upgrades].find(([prefix]) => path.startsWith(`${prefix}/`))?.[1];
    if (handler) return handler(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  };
}
