import type { ExecutionResult } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { serializedResult } from './shared-execution.js';

/**
 * A graphql-ws operation's results, with the shared ones (executed once for a cohort, see
 * src/graphql/shared-execution.ts) sent straight to `socket` as `next` frames built from their
 * shared JSON — `{"id":<id>,"type":"next","payload":<shared bytes>}`, exactly what graphql-ws
 * would write — instead of being handed to graphql-ws, which would serialize each again. Any
 * other result (errors, a single result) is yielded to graphql-ws as usual, in order.
 *
 * Backpressure is kept: like graphql-ws's own `send`, the next result is pulled from the
 * subscriber's queue only once the socket has taken the previous frame (ws's write callback),
 * so a client that stops reading fills its own bounded queue and its overflow policy applies.
 * `return()` (the client completed, or the socket closed) stops sending at once.
 */
export function sendingShared(results: Awaited<OperationResult>, socket: WebSocket, id: string): Awaited<OperationResult> {
  if (!isAsyncIterator(results)) return results;
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let stopped = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      for (;;) {
        const step = await results.next();
        if (stopped) return { done: true, value: undefined };
        if (step.done) return step;
        const bytes = serializedResult(step.value);
        if (bytes === undefined) return step;
        await send(socket, `${prefix}${bytes}}`);
      }
    },
    async return() {
      stopped = true;
      await results.return?.(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Sends one frame; resolves once ws has written it (immediately on a socket that is no longer open, as graphql-ws does). */
function send(socket: WebSocket, frame: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    socket.send(frame, (error) => (error ? reject(error) : resolve()));
  });
}

function isAsyncIterator(value: unknown): value is AsyncIterableIterator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
