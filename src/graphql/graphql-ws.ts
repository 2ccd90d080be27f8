import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { makeServer, type Context as WsContext, type OperationResult, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { SHARED_SINK, type SharedResultSink } from './shared-execution.js';
import { socketSink } from './shared-frames.js';
import type { WsGuard } from '../auth/ws-guard.js';
import { serveGraphqlWs, type WsExtra } from './graphql-ws-transport.js';
import type { GatewayYoga } from './context.js';
import type { OperationContexts } from './operation-context.js';
import { refusalError, type TrustedDocuments } from './trusted-documents.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { traceWsOperation, type TracedOperation } from '../observability/tracing-hooks.js';

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
  /** Where the operation's shared results go, framed from their shared bytes (src/graphql/shared-frames.ts). */
  [SHARED_SINK]: SharedResultSink;
}

/** The graphql-ws context of an operation being admitted. */
type AdmitContext = WsContext<Record<string, unknown> | undefined, WsExtra>;

export interface GraphqlWsOptions {
  yoga: GatewayYoga;
  /** Builds each operation's context whole (src/graphql/operation-context.ts). */
  contexts: OperationContexts;
  /** Authenticates connections (connection_init), rate-limits and caps operations. */
  guard: WsGuard;
  metrics: Metrics;
  /** Largest message accepted, in bytes. */
  maxPayload: number;
  log: Logger;
  /** OpenTelemetry tracing: a span per operation (absent: off). */
  tracing?: Tracing;
  /** Trusted documents: `subscribe` payloads name a document by `documentId` (with `query: ""`), unless from a bypass role. @default off */
  trusted?: TrustedDocuments;
}

/** graphql-ws on the GraphQL path, as the HTTP server mounts it. */
export interface GraphqlWs {
  /** Takes over an upgrade request for the GraphQL path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Completes every operation and sends close 1001 to every socket; resolves when they closed. */
  dispose(): Promise<void>;
  /** Drops the sockets that did not close. */
  terminateAll(): void;
}

/**
 * The graphql-ws server (subprotocol graphql-transport-ws). Every operation goes through yoga's
 * envelop (`yoga.getEnveloped`), so websockets get the same context, parse/validate caches,
 * error masking, limits and identity as HTTP and SSE.
 */
export function createGraphqlWs({ yoga, contexts, guard, metrics, maxPayload, log, tracing, trusted }: GraphqlWsOptions): GraphqlWs {
  const graphqlWs = new WebSocketServer({ noServer: true, maxPayload });
  /** With tracing on: each socket's operations in progress, by id, with their spans. */
  const traced = new WeakMap<object, Map<string, TracedOperation>>();
  const endTraced = (socket: object, id: string, failed?: boolean) => {
    traced.get(socket)?.get(id)?.end(failed);
    traced.get(socket)?.delete(id);
  };
  const admit = async (ctx: AdmitContext, id: string, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    // ctx.subscriptions already holds this operation.
    const identity = guard.admitOperation(ctx.extra.socket, ctx.extra.request, Object.keys(ctx.subscriptions).length);
    if (Array.isArray(identity)) return identity;
    let params = payload;
    if (trusted) {
      // graphql-ws requires a string `query`: a trusted operation sends "" with its documentId.
      const admission = trusted.admit(payload, identity);
      if (!admission.ok) {
        metrics.trustedDocumentRefusals.inc({ reason: admission.reason, transport: 'graphql-ws' });
        return [refusalError(admission, 'graphql-ws')];
      }
      params = { ...payload, query: admission.query ?? '' };
    }
    // No request id: the upgrade request never went through the HTTP router, so each operation
    // gets its own. Only the identity: no plugin or resolver reads graphql-ws's ctx, the socket or
    // the request from the context, and each field copied here would live as long as the operation.
    const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(contexts.build({ identity }));
    let document;
    try {
      document = parse(params.query);
    } catch (error) {
      // A syntax error or the token limit: an `error` message for this operation, not a dropped socket.
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const errors = validate(enveloped, document);
    if (errors.length > 0) return errors;
    return {
      schema: enveloped,
      operationName: params.operationName,
      document,
      variableValues: params.variables,
      contextValue: await contextFactory(),
      rootValue: { execute, subscribe, [SHARED_SINK]: socketSink(ctx.extra.socket, id) } satisfies EnvelopedRoot,
    };
  };
  const core = makeServer<Record<string, unknown> | undefined, WsExtra>({
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
    // The credential travels in connection_init; a refused one closes the socket with 4403
    // before any operation runs (graphql-ws refuses operations before the ack).
    onConnect: async (ctx) => {
      if (!(await guard.connect(ctx.extra.socket, ctx.extra.request, ctx.connectionParams))) return false;
      metrics.connections.inc({ transport: 'graphql-ws' });
      return true;
    },
    onClose: (ctx) => {
      guard.closed(ctx.extra.socket);
      // onClose also runs for sockets that never acknowledged; only count what onConnect counted.
      if (ctx.acknowledged) metrics.connections.dec({ transport: 'graphql-ws' });
      // Spans of operations that failed before graphql-ws took them over (onComplete covers the rest).
      for (const operation of traced.get(ctx.extra.socket)?.values() ?? []) operation.end(true);
    },
    onSubscribe: (ctx, id, params) => {
      if (!tracing) return admit(ctx, id, params);
      // The operation's span is active while it is admitted, parsed, validated and run.
      const operation = traceWsOperation(tracing, ctx.extra.request.headers, params);
      const operations = traced.get(ctx.extra.socket) ?? new Map<string, TracedOperation>();
      traced.set(ctx.extra.socket, operations.set(id, operation));
      return operation.run(async () => {
        const args = await admit(ctx, id, params);
        if (Array.isArray(args)) return args;
        const root = (args as ExecutionArgs).rootValue as EnvelopedRoot;
        const rootValue: EnvelopedRoot = { ...root, execute: (a) => operation.run(() => root.execute(a)), subscribe: (a) => operation.run(() => root.subscribe(a)) };
        return { ...(args as ExecutionArgs), rootValue };
      });
    },
    // An operation ends with complete (also after a client's complete or a closed socket) or with errors.
    onComplete: tracing ? (ctx, id) => endTraced(ctx.extra.socket, id) : undefined,
    onError: tracing ? (ctx, id) => endTraced(ctx.extra.socket, id, true) : undefined,
  });
  const sockets = serveGraphqlWs(graphqlWs, core, log);
  return {
    handleUpgrade: (request, socket, head) => graphqlWs.handleUpgrade(request, socket, head, (ws) => sockets.accept(ws, request)),
    dispose: () => sockets.dispose(),
    terminateAll: () => {
      for (const client of graphqlWs.clients) client.terminate();
    },
  };
}
