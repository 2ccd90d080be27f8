import { Readable } from 'node:stream';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { serializedResult } from './shared-execution.js';

/**
 * The `text/event-stream` response of a subscription (GraphQL over SSE, distinct connections, as
 * yoga's own processor `getSSEProcessor` writes it: a `:` ping first and every 12 s, `event: next`
 * per result, `event: complete` at the end) with two differences:
 *
 * - each `next` event carries `id: <resume token>` when its result has one, so a browser
 *   `EventSource` sends it back as `Last-Event-ID` when it reconnects (src/graphql/context.ts);
 * - a result shared by a cohort of identical subscriptions (src/graphql/shared-results.ts) is
 *   written as one event encoded once, and every subscriber's stream passes on those same bytes:
 *   yoga's processor stringified and encoded each result again per subscriber (and the `id:`
 *   lines had to be patched into its text afterwards, decoding and encoding every event again).
 *
 * Results are pulled one at a time, only when the response wants more, so a client that stops
 * reading fills its subscriber's bounded queue, where the overflow policy applies, instead of the
 * gateway's memory (test/sse-backpressure.test.ts). The body is a Node Readable, which the
 * server adapter (whatwg-node) pipes into the response as it is: a web ReadableStream there is
 * one more stream on top of a Node one, with a few promises per event and subscriber (500 SSE
 * subscribers: 23-24 µs of gateway CPU per subscriber and event against 30-34). A Fetch
 * `Response` that is not whatwg-node's takes it as the async iterable it also is.
 */
export function sseResponse(results: AsyncIterable<ExecutionResult>, fetchAPI: { Response: typeof Response }): Response {
  const iterator = results[Symbol.asyncIterator]();
  const ping = setInterval(() => {
    if (body.readableLength === 0) body.push(PING);
  }, PING_INTERVAL_MS);
  const body = new Readable({
    // One event at a time: the next is pulled once the last has been passed on.
    highWaterMark: 1,
    read() {
      iterator.next().then(
        (step) => {
          if (!step.done) return void this.push(sseEvent(step.value));
          clearInterval(ping);
          this.push(COMPLETE);
          this.push(null);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      clearInterval(ping);
      Promise.resolve(iterator.return?.()).then(() => callback(error), callback);
    },
  });
  // A first byte at once: some browsers do not see the headers until the body starts.
  body.push(PING);
  return new fetchAPI.Response(body as unknown as BodyInit, { status: 200, headers: HEADERS });
}

/** yoga's (graphql-yoga's result-processor/sse.ts). */
const PING_INTERVAL_MS = 12_000;
const HEADERS = { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' };
const PING = Buffer.from(':\n\n');
const COMPLETE = Buffer.from('event: complete\ndata:\n\n');
/** Where a shared result keeps its encoded event. */
const SSE_EVENT = Symbol('rethinkql.sseEvent');

/** The `next` event of `result`: encoded once per shared result, else for this subscriber. */
export function sseEvent(result: ExecutionResult): Uint8Array {
  const shared = result as ExecutionResult & { [SSE_EVENT]?: Uint8Array };
  const cached = shared[SSE_EVENT];
  if (cached) return cached;
  const json = serializedResult(result);
  const token = result.extensions?.resumeToken;
  const event = Buffer.from(`${typeof token === 'string' ? `id: ${token}\n` : ''}event: next\ndata: ${json ?? JSON.stringify(withoutInternals(result))}\n\n`);
  if (json !== undefined) shared[SSE_EVENT] = event;
  return event;
}

/**
 * The result as yoga serializes it (its `omitInternalsFromResultErrors`, not exported): without
 * the `http` extension yoga uses for statuses and headers, on the result and its errors, nor
 * the errors' `unexpected` mark.
 */
function withoutInternals(result: ExecutionResult): object {
  if (!result.errors?.length && !result.extensions?.http) return result;
  return { ...result, errors: result.errors?.map(formatWithoutInternals), extensions: without(result.extensions, ['http']) };
}

function formatWithoutInternals(error: GraphQLError): GraphQLFormattedError {
  const formatted = error instanceof GraphQLError ? error.toJSON() : (error as GraphQLFormattedError);
  return { ...formatted, extensions: without(formatted.extensions, ['http', 'unexpected']) };
}

/** `object` without `keys`; undefined when nothing is left. */
function without(object: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): Record<string, unknown> | undefined {
  const kept = Object.entries(object ?? {}).filter(([key]) => !keys.includes(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
