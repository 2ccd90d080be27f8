import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { SHARED_SINK } from '../shared-execution.js';
import { SseBody } from '../sse-events.js';

/**
 * Subscriptions over SSE (a request that accepts `text/event-stream`) answered with an SseBody
 * (src/graphql/sse-events.ts) instead of yoga's SSE processor. The body is made when the
 * operation subscribes and put on its root value as its SharedResultSink, as graphql-ws does
 * with its socket, so that shared results go straight into it; the result processor then makes
 * the response around it. Other results of an SSE request (a query, a subscription refused
 * before it started) are yoga's as before.
 */
export function useSseResponses(): Plugin<Context> {
  /** Bodies made when an SSE request's operation subscribed, until its result is processed. */
  const bodies = new WeakMap<Request, SseBody>();
  return {
    onSubscribe({ args, context }) {
      const root = args.rootValue as Record<symbol, unknown> | undefined;
      // graphql-ws operations come with a sink of their own (their socket).
      if (root && SHARED_SINK in root) return;
      const request = (context as { request?: unknown }).request;
      if (!isFetchRequest(request) || !acceptsEventStream(request)) return;
      const body = new SseBody();
      bodies.set(request, body);
      args.rootValue = { ...root, [SHARED_SINK]: body };
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (!isAsyncIterable(result) || !acceptsEventStream(request)) return;
      const body = bodies.get(request) ?? new SseBody();
      bodies.delete(request);
      setResultProcessor((stream, fetchAPI) => body.respond(stream as AsyncIterable<ExecutionResult>, fetchAPI), 'text/event-stream');
    },
  };
}

const acceptsEventStream = (request: Request) => (request.headers.get('accept') ?? '').includes('text/event-stream');
/** yoga's Fetch request (whatwg-node's: not necessarily an instance of the global Request). */
const isFetchRequest = (value: unknown): value is Request => typeof (value as Partial<Request> | undefined)?.headers?.get === 'function';
