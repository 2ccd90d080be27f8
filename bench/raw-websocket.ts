// A minimal RFC 6455 client for the fan-out benchmark's load generator (bench/fanout-clients.ts):
// the upgrade handshake, masked text frames out, unmasked frames in (text, ping answered with
// pong, close), straight on a TCP socket. Why not `ws`: with its per-socket stream and event
// layers the load generator spent ~25 µs of CPU per delivered frame, twice what the gateway spent
// sending it, on the same two cores. This one reads every socket into one buffer (net's `onread`:
// no allocation and no stream per read) and hands each text message over as bytes, not decoded.
// Server frames are expected unfragmented and unmasked (what the gateway sends), and no
// extension is offered; anything else is an error.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
const HEADER_END = Buffer.from('\r\n\r\n');
/**
 * What every socket of the process reads into. One serves them all: libuv reads one socket at a
 * time, on this thread, and each read is handled (or what is kept of it copied) before the next.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** A masked, final client frame (clients must mask: §5.3). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const { length } = payload;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (headerLength === 2) {
    frame[1] = 0x80 | length;
  } else if (headerLength === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

/**
 * What a RawWebSocket reports: each text message, and the first error (after which it is closed).
 * `onText` gets the message's UTF-8 bytes, which are only valid during the call: they are in the
 * buffer the next read overwrites.
 */
export interface RawWebSocketHandlers {
  onText(text: Buffer): void;
  onError(error: Error): void;
}

/** One client websocket; `RawWebSocket.open` makes one. */
export class RawWebSocket {
  /** Bytes of a frame not complete yet. */
  private pending: Buffer | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: RawWebSocketHandlers,
  ) {}

  /** Connects to `url` (ws:// or http://) offering `protocol`; resolves once the server accepted the upgrade. */
  static open(url: string, protocol: string, handlers: RawWebSocketHandlers): Promise<RawWebSocket> {
    const { hostname, port, pathname, search } = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
    return new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) return;
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const header = (name: string) => lines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
        if (!lines[0]?.startsWith('HTTP/1.1 101') || header('sec-websocket-accept') !== accept || header('sec-websocket-protocol') !== protocol) {
          socket.destroy();
          reject(new Error(`websocket upgrade refused: ${lines.join(' | ')}`));
          return;
        }
        socket.off('error', reject);
        const opened = new RawWebSocket(socket, handlers);
        onBytes = (data) => opened.read(data);
        socket.on('error', (error) => handlers.onError(error));
        resolve(opened);
        // Anything after the response (the server spoke first) is read once the opener has the socket.
        const rest = head.subarray(end + HEADER_END.length);
        if (rest.length > 0) setImmediate(() => opened.read(rest));
      };
      let onBytes = onHandshake;
      const onread = {
        buffer: READ_BUFFER,
        callback: (length: number) => {
          onBytes(READ_BUFFER.subarray(0, length));
          return true;
        },
      };
      const socket = connect({ host: hostname, port: Number(port), noDelay: true, onread });
      socket.on('error', reject);
      socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
  }

  send(text: string): void {
    this.socket.write(clientFrame(TEXT, Buffer.from(text)));
  }

  /** Sends a normal close (1000) and resolves once the server has closed the connection. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.write(clientFrame(CLOSE, Buffer.from([0x03, 0xe8])));
    });
  }

  /** Handles every complete frame in what has arrived; keeps a copy of the incomplete rest (`data` is the shared read buffer). */
  private read(data: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = undefined;
    while (buffer.length >= 2) {
      const first = buffer[0] as number;
      const second = buffer[1] as number;
      let length = second & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = buffer.readUInt32BE(2) * 2 ** 32 + buffer.readUInt32BE(6);
        at = 10;
      }
      if (buffer.length < at + length) break;
      if ((first & 0x80) === 0 || (second & 0x80) !== 0) return this.fail(new Error('a fragmented or masked frame from the server'));
      this.frame(first & 0x0f, buffer.subarray(at, at + length));
      buffer = buffer.subarray(at + length);
    }
    if (buffer.length > 0) this.pending = Buffer.from(buffer);
  }

  private frame(opcode: number, payload: Buffer): void {
    if (opcode === TEXT) this.handlers.onText(payload);
    else if (opcode === PING) this.socket.write(clientFrame(PONG, payload));
    else if (opcode === CLOSE) this.socket.end();
    else if (opcode !== PONG) this.fail(new Error(`unexpected websocket opcode ${opcode}`));
  }

  private fail(error: Error): void {
    this.socket.destroy();
    this.handlers.onError(error);
  }
}
