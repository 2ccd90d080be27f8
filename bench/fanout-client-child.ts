// One process of the fan-out benchmark's load generator (bench/fanout-clients.ts
// `openSubscriberProcesses`): opens the sockets it is sent, then reports every frame they get to
// the parent in batches (a Float64Array of [type, t, receivedAt, error] per frame, at most every
// FLUSH_MS), each stamped when it was read here, so the batching does not delay what is measured.
import { openSseSubscribers, openSubscribers, FRAME_TYPES, type Operation, type Subscribers, type Transport } from './fanout-clients.js';

/** The parent's one message: which sockets to open. Then 'close'. */
export interface ChildOrder {
  url: string;
  transport: Transport;
  operations: Operation[][];
}

const FLUSH_MS = 25;
let frames = new Float64Array(4096);
let length = 0;
let flushTimer: NodeJS.Timeout | undefined;

const flush = () => {
  flushTimer = undefined;
  if (length === 0) return;
  process.send?.(frames.slice(0, length));
  length = 0;
};

let subscribers: Subscribers | undefined;
process.on('message', (message: ChildOrder | 'close') => {
  if (message === 'close') {
    flush();
    void (subscribers?.close() ?? Promise.resolve()).then(() => process.exit(0));
    return;
  }
  void (message.transport === 'sse' ? openSseSubscribers : openSubscribers)(message.url, message.operations.length, (i) => message.operations[i] ?? [], (type, t, error, receivedAt) => {
    if (length + 4 > frames.length) {
      const grown = new Float64Array(frames.length * 2);
      grown.set(frames);
      frames = grown;
    }
    frames[length++] = FRAME_TYPES.indexOf(type ?? '');
    frames[length++] = t ?? Number.NaN;
    frames[length++] = receivedAt;
    frames[length++] = error ? 1 : 0;
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  }).then((opened) => {
    subscribers = opened;
    process.send?.('ready');
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
