import type { IncomingMessage } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Identity } from '../auth/identity.js';
import type { Config } from '../config/config.js';
import type { DataLayer, Loaders } from '../db/index.js';
import type { Logger } from '../observability/logger.js';
import type { RdmTranslator } from '../rdm/translator.js';
import type { Channels } from '../subscriptions/channels.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';

/** What every resolver receives. Built per request by the server's context factory. */
export interface Context {
  readonly config: Config;
  readonly data: DataLayer;
  /** Per-request DataLoaders (never shared between requests). */
  readonly loaders: Loaders;
  /** This request's id (from `X-Request-Id`, or generated); every log line of the request carries it. */
  readonly requestId: string;
  readonly log: Logger;
  /** The RDM translator behind the `rdm` compatibility field (shared by every request). */
  readonly rdm: RdmTranslator;
  /** The changefeed hub shared by all requests (subscription resolvers go through it). */
  readonly subscriptions: SubscriptionHub;
  /** Publish/subscribe channels, shared by all requests. */
  readonly channels: Channels;
  /**
   * The request's `Last-Event-ID` header (an `EventSource` reconnecting over SSE sends the last
   * event id it saw, which is a resume token): subscriptions resume from it when no `resumeFrom` is given.
   */
  readonly lastEventId?: string;
  /** Who is calling (role, user id, claims): resolvers check permissions with it (src/auth/permissions.ts). */
  readonly identity: Identity;
  /**
   * The resume token of the subscription event being resolved (null: the event has none;
   * undefined: none noted): set by the resolver, taken by the resume-token plugin for the
   * event's result (src/graphql/plugins/resume-tokens.ts). Events of one operation resolve one at a time.
   */
  readonly eventToken: { current?: string | null };
}

/**
 * What a transport hands yoga with each request or operation (yoga's server context:
 * `yoga.handle(req, res, serverContext)`, `yoga.getEnveloped(serverContext)`); the context
 * factory builds the Context from it. Nothing about a request is kept anywhere else.
 */
export interface ServerContext {
  /** The Node request (HTTP, SSE) or the websocket's upgrade request (graphql-ws). */
  req?: IncomingMessage;
  /** The id the HTTP server gave the request; absent: each operation gets a fresh UUID. */
  requestId?: string;
  /** Whom the gate admitted (per request over HTTP, per connection over graphql-ws); absent: anonymous, unless authentication is required. */
  identity?: Identity;
}

/** The gateway's yoga instance (src/http/yoga.ts builds it). */
export type GatewayYoga = YogaServerInstance<ServerContext, Context>;
