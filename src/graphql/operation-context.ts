import { ANONYMOUS_ADMIN } from '../auth/identity.js';
import type { Gate } from '../auth/gate.js';
import type { Config } from '../config/config.js';
import type { DataLayer } from '../db/index.js';
import { Unauthenticated } from '../errors/domain.js';
import { newRequestId } from '../http/request-id.js';
import { lazyChild, type Logger } from '../observability/logger.js';
import type { RdmTranslator } from '../rdm/translator.js';
import type { Channels } from '../subscriptions/channels.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';
import type { Context, ServerContext } from './context.js';
import { FAST_PATH_ATTEMPT } from './plugins/metrics.js';

/** What every operation's Context shares. */
export interface ContextDeps {
  config: Config;
  data: DataLayer;
  subscriptions: SubscriptionHub;
  channels: Channels;
  log: Logger;
  rdm: RdmTranslator;
  gate: Gate;
}

/** A whole operation context: the server context's fields and the resolvers' Context, in one object. */
export type OperationContext = Context & ServerContext & { readonly params: unknown; readonly [FAST_PATH_ATTEMPT]: boolean };

/**
 * Builds each operation's context: the request id the transport gave (else a fresh one), the
 * identity the gate admitted (else the anonymous admin when authentication is off;
 * Unauthenticated when it is required: fail closed), fresh DataLoaders.
 */
export interface OperationContexts {
  /**
   * What yoga's context factory adds to the context yoga made (yoga's own HTTP and SSE
   * handling): `build`'s context over yoga's, copied in by envelop with `Object.assign` (the
   * server context's fields and yoga's params carry over as they are); undefined for a context
   * `build` made.
   */
  extend(initial: ServerContext & { request?: Request; params?: unknown }): Context | undefined;
  /**
   * The whole context as one object literal, for the transports that call envelop themselves
   * (the fast path, graphql-ws). Every context built this way has one shape (V8 hidden class),
   * made at once, and the resolvers read it at every field: measured under a get-by-id load,
   * interleaved with the same build copying the fields in, 113 against 152-165 us of gateway CPU
   * per request.
   */
  build(initial: ServerContext, options?: { params?: unknown; fastPath?: boolean; lastEventId?: string }): OperationContext;
}

/** The gateway's OperationContexts over `deps`. */
export function createOperationContexts({ config, data, subscriptions, channels, log, rdm, gate }: ContextDeps): OperationContexts {
  const identityOf = (initial: ServerContext) => {
    const identity = initial.identity ?? (gate.authenticator.required ? undefined : ANONYMOUS_ADMIN);
    if (!identity) throw new Unauthenticated('authentication required');
    return identity;
  };
  const build: OperationContexts['build'] = (initial, { params, fastPath = false, lastEventId } = {}) => {
    const requestId = initial.requestId ?? newRequestId();
    const identity = identityOf(initial);
    return {
      req: initial.req,
      requestId,
      identity,
      params,
      [FAST_PATH_ATTEMPT]: fastPath,
      config,
      data,
      subscriptions,
      channels,
      loaders: data.createLoaders(),
      log: lazyChild(log, { requestId }),
      rdm,
      lastEventId,
      eventToken: {},
    };
  };
  return {
    build,
    extend(initial) {
      if ('loaders' in initial) return undefined;
      // SSE only: an EventSource reconnecting sends the last event id it saw (a resume token).
      return build(initial, { params: initial.params, lastEventId: initial.request?.headers.get('last-event-id') ?? undefined });
    },
  };
}
