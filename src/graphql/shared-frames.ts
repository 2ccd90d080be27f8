import type { Duplex } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import { serializedBytes, type SharedResultSink } from './shared-execution.js';

/**
 * The shared results of one graphql-ws operation (src/graphql/shared-execution.ts), sent straight
 * to its socket as `next` frames built from their shared JSON — `{"id":<id>,"type":"next",
 * "payload":<shared bytes>}`, exactly what graphql-ws would write — instead of being serialized
 * again per subscriber.
 *
 * Backpressure is kept: while the socket has less than `highWaterBytes` waiting, `write` returns
 * nothing and the next result is pulled at once; beyond that, a promise of ws's write callback
 * (what graphql-ws's own `send` always waits for). A client that stops reading therefore stops
 * the pulls, its own bounded queue fills, and its overflow policy applies.
 *
 * Frames sent in one run of microtasks go out in one write: the TCP socket is corked on the
 * first and uncorked on the next tick, or at the end of the loop's turn for the later changes
 * of a database batch (see `atTickEnd`; ws corks each frame on its own, which nests).
 */
export function socketSink(socket: WebSocket, id: string, highWaterBytes = 64 * 1024): SharedResultSink {
  return new SocketSink(socket, JSON.stringify(id), highWaterBytes);
}

const FRAME_START = Buffer.from('{"id":');
const FRAME_MIDDLE = Buffer.from(',"type":"next","payload":');
const CLOSE_BRACE = 0x7d;

/** socketSink's sink: a class, so an idle subscription holds one small object rather than a closure and its scope. */
class SocketSink implements SharedResultSink {
  /** The operation id's JSON, in bytes. */
  private readonly idBytes: number;
  /** No extension was negotiated (fixed for the connection): frames go straight to the TCP socket (see `send`). */
  private readonly direct: boolean;

  constructor(
    private readonly socket: WebSocket,
    /** The operation id as JSON. Kept as a string: a Buffer of its own would hold on to a slab of Node's buffer pool. */
    private readonly idJson: string,
    private readonly highWaterBytes: number,
  ) {
    this.idBytes = Buffer.byteLength(idJson);
    this.direct = socket.extensions === '';
  }

  write(result: ExecutionResult): Promise<void> | undefined {
    const payload = serializedBytes(result) as Buffer;
    const length = FRAME_START.length + this.idBytes + FRAME_MIDDLE.length + payload.length + 1;
    const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    // One small copy per socket of bytes encoded once (no per-socket string building or UTF-8
    // encoding), with room in front for the websocket frame header.
    const frame = Buffer.allocUnsafe(headerLength + length);
    let at = FRAME_START.copy(frame, headerLength) + headerLength;
    at += frame.write(this.idJson, at);
    at += FRAME_MIDDLE.copy(frame, at);
    at += payload.copy(frame, at);
    frame[at] = CLOSE_BRACE;
    return send(this.socket, frame, headerLength, this.highWaterBytes, this.direct);
  }
}

/** graphql-ws frames are text frames. */
const TEXT = { binary: false } as const;

/** The TCP sockets corked since the last flush. */
const corked = new Set<Duplex>();
/** A check at the end of the current tick (`atTickEnd`) is queued. */
let tickCheckQueued = false;
/** Frames were already flushed in this turn of the event loop (reset by `atTurnEnd`, in the check phase). */
let flushedThisTurn = false;
/** When the frames held for the end of the turn started waiting (performance.now()), or undefined when none are held. */
let heldSince: number | undefined;

/** How long frames may be held for the end of a busy turn (see `atTickEnd`), in ms. */
const MAX_HOLD_MS = 20;
/** Sockets corked by the first event of a turn beyond which they are flushed at once (see `send`). */
const FLUSH_EVERY = 256;

function flush(): void {
  for (const tcp of corked) tcp.uncork();
  corked.clear();
  heldSince = undefined;
}

/**
 * After the frames of one event: the first event of a turn goes out at once (a frame must not
 * wait behind the rest of the turn's I/O, e.g. the HTTP answer of the mutation that caused it,
 * which clients expect after the event: test/channels.test.ts relies on that order). Later ones
 * in the same turn are the rest of a database batch (rethinkdb-ts dispatches a batch's changes
 * a tick apart, all in one I/O callback; a burst on RethinkDB brings tens per turn): their frames
 * are held until the turn's end, so that each socket gets them in one write (a write system call
 * per frame was over half the gateway's CPU in a burst), or until the end of the first event
 * that finds them held for MAX_HOLD_MS (an event to 10,000 sockets takes longer than that).
 */
function atTickEnd(): void {
  tickCheckQueued = false;
  if (!flushedThisTurn) {
    flushedThisTurn = true;
    setImmediate(atTurnEnd);
    return flush();
  }
  const now = performance.now();
  if (heldSince === undefined) heldSince = now;
  else if (now - heldSince >= MAX_HOLD_MS) flush();
}

function atTurnEnd(): void {
  flushedThisTurn = false;
  flush();
}

/**
 * Writes the header of an unmasked, final text frame of `frame.length - headerLength` bytes
 * (RFC 6455 §5.2: 7-bit length, or 126 and 16 bits, or 127 and 64 bits) into `frame`'s first
 * `headerLength` bytes.
 */
function writeTextHeader(frame: Buffer, headerLength: number): void {
  const length = frame.length - headerLength;
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
}

/**
 * Sends one frame (`frame` after its first `headerLength` bytes, left for the header). Resolves
 * at once while less than `highWaterBytes` wait on the socket (or it is no longer open, as
 * graphql-ws does); else once the frame is written.
 *
 * `direct`: on a socket without extensions (the gateway negotiates none: no permessage-deflate) the
 * frame, header included, goes to the TCP socket as one buffer: what ws's sender would write,
 * without its header buffer, its second write and its per-frame options (a tenth of the
 * gateway's CPU per delivered event was ws and Node's stream layers). ws keeps no other state
 * for an uncompressed frame, and its `bufferedAmount` counts what waits on the TCP socket. With
 * an extension, ws sends the frame.
 */
function send(socket: WebSocket, frame: Buffer, headerLength: number, highWaterBytes: number, direct: boolean): Promise<void> | undefined {
  if (socket.readyState !== socket.OPEN) return undefined;
  const tcp = (socket as WebSocket & { _socket?: Duplex })._socket;
  if (!tickCheckQueued) {
    tickCheckQueued = true;
    process.nextTick(atTickEnd);
  }
  if (tcp && !corked.has(tcp)) {
    // The first event of a turn goes out as it is framed, a few hundred sockets at a time: to
    // 10,000 sockets, framing all before writing any would leave the clients idle meanwhile.
    if (!flushedThisTurn && corked.size >= FLUSH_EVERY) flush();
    tcp.cork();
    corked.add(tcp);
  }
  const wait = socket.bufferedAmount >= highWaterBytes;
  if (tcp && direct) {
    writeTextHeader(frame, headerLength);
    if (!wait) {
      tcp.write(frame);
      return undefined;
    }
    return new Promise((resolve, reject) => tcp.write(frame, (error) => (error ? reject(error) : resolve())));
  }
  const body = frame.subarray(headerLength);
  if (!wait) {
    socket.send(body, TEXT);
    return undefined;
  }
  return new Promise((resolve, reject) => socket.send(body, TEXT, (error) => (error ? reject(error) : resolve())));
}
