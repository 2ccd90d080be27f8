import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerOptions } from 'graphql-yoga';
import type { Gate } from '../auth/gate.js';
import type { Config } from '../config/config.js';
import type { DataLayer } from '../db/index.js';
import type { Context, GatewayYoga, ServerContext } from '../graphql/context.js';
import type { SchemaSource } from '../graphql/live-schema.js';
import { createOperationContexts, type OperationContexts } from '../graphql/operation-context.js';
import { createDocumentCache, useParseAndValidateCache } from '../graphql/plugins/document-cache.js';
import { createErrorMasker } from '../graphql/plugins/error-masking.js';
import { limitPlugins } from '../graphql/plugins/limits.js';
import { useMetrics } from '../graphql/plugins/metrics.js';
import { useRequestParseErrors } from '../graphql/plugins/request-errors.js';
import { useResumeTokens } from '../graphql/plugins/resume-tokens.js';
import { useSseResponses } from '../graphql/plugins/sse.js';
import { useRowBudget } from '../graphql/plugins/row-budget.js';
import { useTracing } from '../graphql/plugins/tracing.js';
import { useSharedSubscriptions } from '../graphql/shared-execution.js';
import { useTrustedDocuments } from '../graphql/plugins/trusted-documents.js';
import type { TrustedDocuments } from '../graphql/trusted-documents.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { RdmTranslator } from '../rdm/translator.js';
import { buildSchema } from '../schema/index.js';
import type { Channels } from '../subscriptions/channels.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';
import { corsOptions } from './cors.js';

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
  /** OpenTelemetry tracing (src/observability/tracing.ts); absent: off, and nothing on any path traces. */
  tracing?: Tracing;
  /** Trusted documents (TRUSTED_DOCUMENTS): only their ids, or any document from a bypass role, run. @default off */
  trustedDocuments?: TrustedDocuments;
  /** Builds each operation's context; the server shares its own with the fast path and graphql-ws. @default one of its own */
  contexts?: OperationContexts;
}

/** What yoga's context factory adds to a context built whole: nothing (envelop copies it in). */
const ALREADY_BUILT = Object.freeze({}) as Context;

/** How the GraphQL layer runs; the defaults are what the gateway serves with (bench/run.ts compares variants). */
export interface ExecutionTuning {
  /** The parse/validate cache of valid documents (src/graphql/plugins/document-cache.ts). @default true */
  cache?: boolean;
  /** More envelop plugins, after the gateway's own (benchmarks try e.g. `@envelop/graphql-jit`). @default [] */
  plugins?: YogaServerOptions<ServerContext, Context>['plugins'];
  /**
   * Yoga's own request-body limit, which pipes every body through a TransformStream (an
   * AbortController and DOMException per request). Redundant behind `createServer`, which
   * refuses POSTs without a Content-Length or over `maxBodyBytes` before yoga sees them, and
   * Node's HTTP parser never reads past the Content-Length. @default false
   */
  streamedBodyLimit?: boolean;
  /** Send the database queries of one event-loop turn in one socket write (src/db/pool.ts). @default true */
  coalesceWrites?: boolean;
  /** Answer plain JSON queries through envelop without yoga's Fetch API adaptation (src/http/fast-query.ts). @default true */
  fastPath?: boolean;
  /** Identical subscriptions share one execution and serialization per event (src/graphql/shared-execution.ts). @default true */
  sharedSubscriptions?: boolean;
}

/** The generic API alone, for servers given no schema source (benchmarks). */
export function staticSchema(): SchemaSource {
  const schema = buildSchema().schema;
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

/**
 * The gateway's yoga instance over the real schema: plugins, limits, error masking, metrics and
 * the per-request context (fresh DataLoaders). The request id and identity come in the server
 * context each transport passes (ServerContext): no request id gets a fresh UUID, and no identity
 * while authentication is required fails the operation (fail closed). No listening:
 * `createServer` mounts it.
 */
export function createGatewayYoga({
  config,
  data,
  subscriptions,
  channels,
  log,
  metrics,
  rdm,
  gate,
  graphiqlQuery = exampleQuery,
  tuning = {},
  schema = staticSchema(),
  tracing,
  trustedDocuments,
  contexts = createOperationContexts({ config, data, subscriptions, channels, log, rdm, gate }),
}: ServerOptions): GatewayYoga {
  const { cache = true, plugins = [], streamedBodyLimit = false, sharedSubscriptions = true } = tuning;
  const sharing = sharedSubscriptions ? [useSharedSubscriptions({ onExecuted: () => metrics.eventExecutions.inc() })] : [];
  // Off (the default), no plugin at all: nothing is added to any request.
  const trusted = trustedDocuments ? [useTrustedDocuments(trustedDocuments, metrics)] : [];
  return createYoga<ServerContext, Context>({
    schema: schema.current,
    graphqlEndpoint: config.graphqlPath,
    graphiql: config.graphiql ? { title: 'rethinkql', defaultQuery: graphiqlQuery } : false,
    // GraphiQL with its assets inlined from the npm package: it works offline, no CDN.
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    // Shared execution first: it sets the subscribe function outright (it cannot wrap another), so
    // tracing's wrapper must come after it. Tracing next: its execute wrapper then holds every
    // other plugin's work.
    // The parse/validate cache last, where yoga puts its own (which it replaces, document-cache.ts).
    plugins: [
      ...sharing,
      ...(tracing ? [useTracing(tracing)] : []),
      ...trusted,
      useLiveSchema(schema),
      useRequestParseErrors(),
      ...limitPlugins(config),
      useRowBudget(config),
      useMetrics(metrics),
      useResumeTokens(),
      useSseResponses(),
      ...plugins,
      ...(cache ? [useParseAndValidateCache(createDocumentCache())] : []),
    ],
    parserAndValidationCache: false,
    maxRequestBodySize: streamedBodyLimit ? config.maxBodyBytes : false,
    cors: corsOptions(config.corsOrigins),
    // HTTP and SSE through yoga: the fields added to yoga's context. The fast path and graphql-ws
    // come with the whole context built (src/graphql/operation-context.ts), and nothing is added.
    context: (initial) => contexts.extend(initial) ?? ALREADY_BUILT,
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      // Yoga logs here every error it hands to error masking, twice, with the document's text: the
      // masker logs each once at the level it deserves; here only their messages, at debug.
      error: (...args) =>
        args.some((arg) => arg instanceof Error)
          ? log.debug(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' '))
          : log.error(args.map(String).join(' ')),
    },
  });
}
