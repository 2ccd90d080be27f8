import { Readable } from 'node:stream';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { serializedResult, type SharedResultSink } from './shared-execution.js';

/**
 * The body of one subscription's `text/event-stream` response (GraphQL over SSE, distinct
 * connections, as yoga's own processor `getSSEProcessor` writes it: a `:` ping first and every
 * 12 s, `event: next` per result, `event: complete` at the end), with three differences:
 *
 * - each `next` event carries `id: <resume token>` when its result has one, so a browser
 *   `EventSource` sends it back as `Last-Event-ID` when it reconnects (src/graphql/context.ts);
 * - a result shared by a cohort of identical subscriptions (src/graphql/shared-results.ts) is
 *   one event encoded once, and every subscriber's body passes on those same bytes: yoga's
 *   processor stringified and encoded each result again per subscriber (and the `id:` lines had
 *   to be patched into its text afterwards, decoding and encoding every event again);
 * - it is also the operation's SharedResultSink (made when the operation subscribes,
 *   src/graphql/plugins/sse.ts): shared results are pushed into it as the hub hands them over,
 *   as graphql-ws sockets get them (src/graphql/shared-frames.ts), without a promise and a pass
 *   through the per-result plugin hooks per event and subscriber. Other results come through
 *   the operation's stream (`respond`), in order: the stream takes no further event while one of
 *   its results is on the way (src/graphql/shared-event-stream.ts).
 *
 * Backpressure: the stream is read only when the body wants more, and the sink waits once the
 * body holds HIGH_WATER_BYTES the response has not taken, so a client that stops reading fills
 * its subscriber's bounded queue, where the overflow policy applies, instead of the gateway's
 * memory (test/sse-backpressure.test.ts). It is a Node Readable, which the server adapter
 * (whatwg-node) pipes into the response as it is; a Fetch `Response` that is not whatwg-node's
 * takes it as the async iterable it also is. 500 SSE subscribers, gateway CPU per subscriber and
 * event: yoga's processor 46-49 µs, shared events on a web ReadableStream 30-34, on a Node
 * Readable 23-24, and with the sink 16-18.
 */
export class SseBody extends Readable implements SharedResultSink {
  private results?: AsyncIterator<ExecutionResult>;
  private ping?: NodeJS.Timeout;
  /** A `next()` of the results is pending. */
  private reading = false;
  /** The end was pushed: nothing may follow it. */
  private ended = false;
  /** The sink's wait for room (see `write`), and what resolves it. */
  private whenRoom?: Promise<void>;
  private room?: () => void;

  constructor() {
    super({ highWaterMark: HIGH_WATER_BYTES });
  }

  /** The response: this body, serving `results` (the operation's stream). */
  respond(results: AsyncIterable<ExecutionResult>, fetchAPI: { Response: typeof Response }): Response {
    this.results = results[Symbol.asyncIterator]();
    // A first byte at once: some browsers do not see the headers until the body starts.
    this.push(PING);
    this.ping = setInterval(() => {
      if (this.readableLength === 0) this.push(PING);
    }, PING_INTERVAL_MS);
    return new fetchAPI.Response(this as unknown as BodyInit, { status: 200, headers: HEADERS });
  }

  /** A shared result (SharedResultSink): pushed at once; resolves when the body wants more once it holds enough. */
  write(result: ExecutionResult): Promise<void> | undefined {
    if (this.destroyed || this.ended) return undefined;
    if (this.push(sseEvent(result))) return undefined;
    return (this.whenRoom ??= new Promise((resolve) => (this.room = resolve)));
  }

  override _read(): void {
    const room = this.room;
    this.room = this.whenRoom = undefined;
    room?.();
    if (this.reading || !this.results) return;
    this.reading = true;
    this.results.next().then(
      (step) => {
        this.reading = false;
        if (!step.done) return void this.push(sseEvent(step.value));
        clearInterval(this.ping);
        this.ended = true;
        this.push(COMPLETE);
        this.push(null);
      },
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.ping);
    this.room?.();
    this.room = this.whenRoom = undefined;
    Promise.resolve(this.results?.return?.()).then(() => callback(error), callback);
  }
}

/** The most a body holds before the sink waits (Node's default for a byte stream). */
const HIGH_WATER_BYTES = 16 * 1024;
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
