import type { Duplex } from 'node:stream';
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
 * Backpressure is kept: while the socket has less than `highWaterBytes` waiting, the next
 * result is pulled at once; beyond that, only once ws has written the frame (its write
 * callback, which is what graphql-ws's own `send` always waits for). A client that stops reading
 * therefore stops the pulls, its own bounded queue fills, and its overflow policy applies.
 * `return()` (the client completed, or the socket closed) stops sending at once.
 *
 * Frames sent in one burst of microtasks go out in one write: the TCP socket is corked on the
 * first and uncorked on the next tick (ws corks each frame on its own, which nests).
 */
export function sendingShared(results: Awaited<OperationResult>, socket: WebSocket, id: string, highWaterBytes = 64 * 1024): Awaited<OperationResult> {
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
        const sent = send(socket, `${prefix}${bytes}}`, highWaterBytes);
        if (sent) await sent;
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

/** The TCP sockets corked until the next tick. */
const corked = new Set<Duplex>();
const uncorkAll = () => {
  for (const tcp of corked) tcp.uncork();
  corked.clear();
};

/**
 * Sends one frame. Resolves at once while less than `highWaterBytes` wait on the socket (or it
 * is no longer open, as graphql-ws does); else once ws has written this frame.
 */
function send(socket: WebSocket, frame: string, highWaterBytes: number): Promise<void> | undefined {
  if (socket.readyState !== socket.OPEN) return undefined;
  const tcp = (socket as WebSocket & { _socket?: Duplex })._socket;
  if (tcp && !corked.has(tcp)) {
    if (corked.size === 0) process.nextTick(uncorkAll);
    tcp.cork();
    corked.add(tcp);
  }
  if (socket.bufferedAmount < highWaterBytes) {
    socket.send(frame);
    return undefined;
  }
  return new Promise((resolve, reject) => socket.send(frame, (error) => (error ? reject(error) : resolve())));
}

function isAsyncIterator(value: unknown): value is AsyncIterableIterator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
