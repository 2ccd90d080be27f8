import { getSSEProcessor, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Records the resume token of the event being resolved for this operation (null: the event has
 * none) in its context's `eventToken`, where the plugin's onNext takes it right after, so every
 * result of the operation is matched with its own event (results execute one at a time).
 */
export function noteResumeToken(context: Context, token: string | null): void {
  context.eventToken.current = token;
}

/** A GraphQL result as it travels to the transport. */
interface ResultLike {
  extensions?: Record<string, unknown>;
}

/** Puts the token `noteResumeToken` recorded for this result's event into its extensions (shared execution already did, and left none). */
const RESULT_HOOKS = {
  onNext({ args, result, setResult }: { args: { contextValue: Context }; result: unknown; setResult: (result: ResultLike) => void }): void {
    const slot = args.contextValue.eventToken;
    const token = slot.current;
    slot.current = undefined;
    if (typeof token !== 'string') return;
    const current = result as ResultLike;
    setResult({ ...current, extensions: { ...current.extensions, resumeToken: token } });
  },
};
const SUBSCRIBE_HOOKS = { onSubscribeResult: () => RESULT_HOOKS };

/**
 * Resume tokens on the wire, for every transport:
 * - every subscription result whose event has a token carries it in `extensions.resumeToken`
 *   (also selectable as the `resumeToken` field);
 * - over SSE each such event gets `id: <token>`, so a browser `EventSource` sends it back as the
 *   `Last-Event-ID` header when it reconnects, and the server resumes from it (the context's
 *   `lastEventId`, used by the subscription resolvers when `resumeFrom` is not given).
 *
 * Why wrap the text of yoga's SSE processor instead of writing `id:` where events are written:
 * yoga's processor (graphql-yoga's result-processor/sse.ts, `getSSEProcessor`) writes each
 * result as `event: next` + `data:` with no hook for an id, and replacing it would mean copying
 * its pings, error statuses and result stringifying (internal to yoga) — a fork. So the wrapper
 * notes each result's token as the processor pulls it from the stream (in order), and adds an
 * `id:` line to each `event: next` block the processor writes (test/resume.test.ts reads them
 * as EventSource does).
 */
export function useResumeTokens(): Plugin<Context> {
  const sse = getSSEProcessor();
  return {
    // The same hook objects for every operation: envelop keeps what onSubscribe returns (and
    // what its onSubscribeResult returns) for as long as the subscription is open.
    onSubscribe: () => SUBSCRIBE_HOOKS,
    onResultProcess({ request, result, setResultProcessor }) {
      if (!isAsyncIterable(result) || !(request.headers.get('accept') ?? '').includes('text/event-stream')) return;
      setResultProcessor((stream, fetchAPI, mediaType) => {
        const ids: (string | undefined)[] = [];
        const noted = notingIds(stream as AsyncIterable<ResultLike>, ids);
        const response = sse(noted as Parameters<typeof sse>[0], fetchAPI, mediaType) as Response;
        const body = response.body ? withEventIds(response.body, ids, fetchAPI) : null;
        return new fetchAPI.Response(body, { status: response.status, headers: response.headers });
      }, 'text/event-stream');
    },
  };
}

/** The results of `stream`, recording each one's resume token (or undefined) in `ids` as it is pulled. */
function notingIds(stream: AsyncIterable<ResultLike>, ids: (string | undefined)[]): AsyncIterableIterator<ResultLike> {
  const iterator = stream[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<ResultLike> = {
    async next() {
      const step = await iterator.next();
      if (!step.done) {
        const token = step.value.extensions?.resumeToken;
        ids.push(typeof token === 'string' ? token : undefined);
      }
      return step;
    },
    return: async (value?: unknown) => (iterator.return ? iterator.return(value) : { done: true, value: undefined }),
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}

/**
 * Adds the `id:` line of the result each `event: next` block announces. Works on whole blocks
 * (SSE events end with a blank line, and yoga writes each result's JSON on one line), so it does
 * not depend on how the bytes are chunked.
 *
 * A pull source, not a TransformStream: the Fetch ponyfill's TransformStream (whatwg-node on
 * Node) pushes whatever is written into its readable side without ever saying "full", so the
 * chain `yoga's SSE stream -> transform -> response` pulled every event out of the subscriber's
 * queue as fast as the hub produced them, and a client that stopped reading grew the gateway's
 * memory without bound (30,000 events of 8 KB: ~250 MB). Pulled only when the response wants
 * more (the server waits for `drain` before reading again), the subscriber's queue is what
 * fills, by the bytes waiting on the response, and its overflow policy applies as over graphql-ws.
 */
function withEventIds(
  body: ReadableStream<Uint8Array>,
  ids: (string | undefined)[],
  fetchAPI: { TextEncoder: typeof TextEncoder; ReadableStream: typeof ReadableStream },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const encoder = new fetchAPI.TextEncoder();
  const decoder = new TextDecoder();
  let text = '';
  return new fetchAPI.ReadableStream<Uint8Array>({
    // Reads until at least one whole block can be passed on (or the stream ends), so each pull
    // enqueues something.
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += decoder.decode(value, { stream: true });
        const end = text.lastIndexOf('\n\n');
        if (end < 0) continue;
        const blocks = text.slice(0, end + 2).split(/(?<=\n\n)/);
        text = text.slice(end + 2);
        const out = blocks.map((block) => {
          if (!block.startsWith('event: next\n')) return block;
          const id = ids.shift();
          return id === undefined ? block : `id: ${id}\n${block}`;
        });
        controller.enqueue(encoder.encode(out.join('')));
        return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
