// The fan-out benchmark's load generator: many graphql-transport-ws subscribers on plain `ws`
// sockets. Why not graphql-ws's client: 10,000 of them in one process (on the same two cores as
// the gateway) spent more CPU validating and parsing every message than the gateway spent
// sending it, so the figures measured the client. These read only what the benchmark needs
// (the event type and the write's timestamp `t`) from the frame text; the gateway's side is the
// real one.
import { WebSocket } from 'ws';

/** One subscription: its query and variables. */
export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/** What a subscriber saw in a `next` frame: the event type, the write's `t` if any; error frames and errors in results count as errors. */
export type OnFrame = (type: string | undefined, t: number | undefined, error: boolean) => void;

/** Sockets opened by `openSubscribers`; `close` ends them all. */
export interface Subscribers {
  close(): Promise<void>;
}

const valueAfter = (text: string, marker: string): string | undefined => {
  const at = text.indexOf(marker);
  if (at < 0) return undefined;
  const start = at + marker.length;
  let end = start;
  while (end < text.length && !',}"'.includes(text[end] as string)) end++;
  return text.slice(start, end);
};

/**
 * Opens `count` sockets to `url` (the gateway's http URL), each with the operations `operationsOf(i)`
 * gives (ids 1, 2, …), and resolves once every subscription has had its first `next` (READY or
 * a first result). `onFrame` sees every later `next` frame.
 */
export async function openSubscribers(url: string, count: number, operationsOf: (index: number) => Operation[], onFrame: OnFrame): Promise<Subscribers> {
  const sockets: WebSocket[] = [];
  const wsUrl = url.replace(/^http/, 'ws');
  const openOne = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      sockets.push(socket);
      const operations = operationsOf(index);
      const started = new Set<string>();
      socket.on('open', () => socket.send('{"type":"connection_init"}'));
      socket.on('error', reject);
      socket.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith('{"type":"connection_ack"')) {
          operations.forEach((payload, i) => socket.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload })));
          return;
        }
        const id = valueAfter(text, '"id":"');
        if (text.includes('"type":"error"')) return onFrame(undefined, undefined, true);
        if (!text.includes('"type":"next"') || id === undefined) return;
        if (!started.has(id)) {
          started.add(id);
          if (started.size === operations.length) resolve();
          return;
        }
        const t = valueAfter(text, '"t":');
        onFrame(valueAfter(text.slice(text.indexOf('"payload"')), '"type":"'), t === undefined ? undefined : Number(t), text.includes('"errors"'));
      });
    });
  // Open in batches, so thousands of handshakes do not land in one tick.
  for (let i = 0; i < count; i += 200) await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => openOne(i + j)));
  return {
    close: async () => {
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.close();
            }),
        ),
      );
    },
  };
}
