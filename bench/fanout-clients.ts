// The fan-out benchmark's load generator: many graphql-transport-ws subscribers, each on a socket
// of bench/raw-websocket.ts. Why not graphql-ws's client: 10,000 of them in one process (on the
// same two cores as the gateway) spent more CPU validating and parsing every message than the
// gateway spent sending it, so the figures measured the client. These read only what the
// benchmark needs (the event type and the write's timestamp `t`) from the frame text; the
// gateway's side is the real one. `openSubscriberProcesses` runs them in processes of their own
// (bench/fanout-client-child.ts), so reading thousands of sockets never delays the process that
// writes and timestamps the changes; each frame is timed where it was read, on a clock all
// processes share. The fan-out runs use a C twin of those processes when they can
// (bench/native-clients.ts); these remain for SSE and where there is no C compiler.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { RawWebSocket } from './raw-websocket.js';

/** One subscription: its query and variables. */
export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * What a subscriber saw in a `next` frame: the event type, the write's `t` if any (a `clock()`
 * reading), whether it was an error (error frames and errors in results) and when it was read.
 */
export type OnFrame = (type: string | undefined, t: number | undefined, error: boolean, receivedAt: number) => void;

/**
 * Milliseconds on the system's monotonic clock, which every process on the machine shares: a
 * write's `t` is read by the process that wrote it and compared in the one that received it.
 */
export const clock = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Sockets opened by `openSubscribers`; `close` ends them all. */
export interface Subscribers {
  close(): Promise<void>;
}

/** A string looked for in frames, as text and as UTF-8 bytes (a Buffer's `indexOf` encodes a string on every call). */
interface Marker {
  text: string;
  bytes: Buffer;
}
const marker = (text: string): Marker => ({ text, bytes: Buffer.from(text) });
const T = marker('"t":');
const TYPE = marker('"type":"');
const ERRORS = marker('"errors"');
const PAYLOAD = marker('"payload":');
const ID = marker('"id":"');

/** Where `what` is in `text` (a string, or UTF-8 bytes) from `from` on, or -1. */
const find = (text: string | Buffer, what: Marker, from = 0): number => (typeof text === 'string' ? text.indexOf(what.text, from) : text.indexOf(what.bytes, from));

/** `,`, `}` and `"`, as bytes: what ends the values read from frames. */
const VALUE_END_BYTES = [0x2c, 0x7d, 0x22];

/** The text after `after` in `text` (a string, or UTF-8 bytes), from `from` on, up to the next `,`, `}` or `"`. */
const valueAfter = (text: string | Buffer, after: Marker, from = 0): string | undefined => {
  const at = find(text, after, from);
  if (at < 0) return undefined;
  const start = at + after.text.length;
  let end = start;
  if (typeof text === 'string') while (end < text.length && !',}"'.includes(text[end] as string)) end++;
  else while (end < text.length && !VALUE_END_BYTES.includes(text[end] as number)) end++;
  return typeof text === 'string' ? text.slice(start, end) : text.toString('latin1', start, end);
};

/**
 * Reports one result (its JSON from `from` on, `{"data":{"<field>":{"type":…,"new":{…,"t":…}}}}`
 * or with errors) read at `receivedAt`. A frame's bytes are searched as they are, not decoded.
 */
const report = (result: string | Buffer, receivedAt: number, onFrame: OnFrame, from = 0) => {
  const t = valueAfter(result, T, from);
  onFrame(valueAfter(result, TYPE, from), t === undefined ? undefined : Number(t), find(result, ERRORS, from) >= 0, receivedAt);
};

/** Runs `open(i)` for i < count, 200 at a time, so thousands of handshakes do not land in one tick. */
async function inBatches(count: number, open: (index: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 200) await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(i + j)));
}

/**
 * Opens `count` sockets to `url` (the gateway's http URL), each with the operations `operationsOf(i)`
 * gives (ids 1, 2, …), and resolves once every subscription has had its first `next` (READY or
 * a first result). `onFrame` sees every later `next` frame.
 */
export async function openSubscribers(url: string, count: number, operationsOf: (index: number) => Operation[], onFrame: OnFrame): Promise<Subscribers> {
  const sockets: RawWebSocket[] = [];
  const openOne = async (index: number) => {
    const operations = operationsOf(index);
    const started = new Set<string>();
    let ready: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    const allStarted = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const socket = await RawWebSocket.open(url, 'graphql-transport-ws', {
      onError: (error) => {
        failed(error);
        onFrame(undefined, undefined, true, clock());
      },
      onText: (bytes) => {
        // The message's own fields come before its payload: `{"id":"1","type":"next","payload":…}`.
        const payloadAt = find(bytes, PAYLOAD);
        const head = bytes.toString('latin1', 0, payloadAt < 0 ? bytes.length : payloadAt);
        if (head.startsWith('{"type":"connection_ack"')) {
          operations.forEach((payload, i) => socket.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload })));
          return;
        }
        const id = valueAfter(head, ID);
        if (head.includes('"type":"error"')) return onFrame(undefined, undefined, true, clock());
        if (!head.includes('"type":"next"') || id === undefined) return;
        if (!started.has(id)) {
          started.add(id);
          if (started.size === operations.length) ready();
          return;
        }
        report(bytes, clock(), onFrame, payloadAt);
      },
    });
    sockets.push(socket);
    socket.send('{"type":"connection_init"}');
    await allStarted;
  };
  await inBatches(count, openOne);
  return { close: async () => void (await Promise.all(sockets.map((socket) => socket.close()))) };
}

/** How subscribers reach the gateway: graphql-transport-ws sockets, or one GraphQL over SSE request per subscription. */
export type Transport = 'ws' | 'sse';

/**
 * `openSubscribers` over GraphQL over SSE: each operation of `operationsOf(i)` is a POST with
 * `accept: text/event-stream` on a connection of its own; resolves once each has had its first
 * `next` event. `onFrame` sees every later `next` event.
 */
export async function openSseSubscribers(url: string, count: number, operationsOf: (index: number) => Operation[], onFrame: OnFrame): Promise<Subscribers> {
  const requests: ClientRequest[] = [];
  const { hostname, port, pathname } = new URL(url);
  const openOne = (payload: Operation) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(payload);
      const headers = { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) };
      const request = httpRequest({ host: hostname, port, path: pathname, method: 'POST', agent: false, headers }, (response) => {
        if (response.statusCode !== 200) return reject(new Error(`SSE subscription refused: status ${response.statusCode}`));
        response.setEncoding('utf8');
        let pending = '';
        let started = false;
        response.on('data', (chunk: string) => {
          const receivedAt = clock();
          const blocks = (pending + chunk).split('\n\n');
          pending = blocks.pop() ?? '';
          for (const block of blocks) {
            const data = block.includes('event: next\n') ? block.slice(block.indexOf('data: ') + 6) : undefined;
            if (data === undefined) continue;
            if (!started) {
              started = true;
              resolve();
              continue;
            }
            report(data, receivedAt, onFrame);
          }
        });
      });
      request.on('error', (error) => {
        reject(error);
        onFrame(undefined, undefined, true, clock());
      });
      requests.push(request);
      request.end(body);
    });
  await inBatches(count, (index) => Promise.all(operationsOf(index).map(openOne)));
  return {
    close: async () => {
      await Promise.all(
        requests.map(async (request) => {
          if (request.destroyed) return;
          const closed = once(request, 'close');
          request.destroy();
          await closed;
        }),
      );
    },
  };
}

/** Event types as numbers, for the child processes' reports (-1: none or another); bench/native/fanout-client.c numbers them the same. */
export const FRAME_TYPES: readonly string[] = ['RESET', 'INITIAL', 'READY', 'ADD', 'CHANGE', 'REMOVE', 'MOVE'];

/** A client process's record (of four numbers) that says every subscription of its sockets has started. */
export const READY_RECORD = -2;

/**
 * Calls `onFrame` for each record of `records`, a client process's report: [type (an index into
 * FRAME_TYPES), t (NaN: none), receivedAt, error (1: an error)] per frame; `onReady` for a
 * READY_RECORD.
 */
export function reportRecords(records: Float64Array, onFrame: OnFrame, onReady?: () => void): void {
  for (let at = 0; at + 4 <= records.length; at += 4) {
    const type = records[at] as number;
    if (type === READY_RECORD) {
      onReady?.();
      continue;
    }
    const t = records[at + 1] as number;
    onFrame(FRAME_TYPES[type], Number.isNaN(t) ? undefined : t, records[at + 3] === 1, records[at + 2] as number);
  }
}

/** `items` in at most `parts` contiguous ranges of (nearly) equal length, one per client process. */
export function inRanges<Item>(items: Item[], parts: number): Item[][] {
  const each = Math.ceil(items.length / parts);
  return Array.from({ length: Math.min(parts, items.length) }, (_, i) => items.slice(i * each, (i + 1) * each));
}

/**
 * `openSubscribers` (or, with `transport` 'sse', `openSseSubscribers`) spread over `processes` child processes (contiguous ranges of `operations`,
 * one entry per socket). `onFrame` is called in this process, in batches, with each frame's
 * `receivedAt` as its child read it.
 */
export async function openSubscriberProcesses(url: string, operations: Operation[][], processes: number, onFrame: OnFrame, transport: Transport = 'ws'): Promise<Subscribers> {
  const children = inRanges(operations, processes).map((part) => {
    const child = fork(fileURLToPath(new URL('./fanout-client-child.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', (message: unknown) => {
      if (message instanceof Float64Array) reportRecords(message, onFrame);
    });
    child.send({ url, transport, operations: part });
    return child;
  });
  await Promise.all(
    children.map(async (child) => {
      const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit')])) as unknown[];
      if (message !== 'ready') throw new Error(`a client process failed to open its sockets (exit ${String(message)})`);
    }),
  );
  return {
    close: async () => {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null) return;
          const exited = once(child, 'exit');
          child.send('close');
          await exited;
        }),
      );
    },
  };
}
