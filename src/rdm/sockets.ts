import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Gate } from '../auth/gate.js';
import type { Identity } from '../auth/identity.js';
import { RdmCloseCode, rdmCloseOf } from '../errors/close-codes.js';
import { errorInfoOf, isDomainError } from '../errors/domain.js';
import { httpRefusalOf, upgradeRefusalText } from '../errors/http.js';
import { requestIdOf } from '../http/request-id.js';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Logger } from '../observability/logger.js';
import { errorReply, RDM_HEALTH_TEXT, serializeRdmReply } from './protocol.js';
import type { RdmTranslator, RdmTransport } from './translator.js';

export interface RdmSocketOptions {
  translator: RdmTranslator;
  /**
   * Authenticates each connection before the upgrade (credential in Authorization / X-Api-Key,
   * or the `token` query parameter: old RDM clients cannot set headers) and rate-limits its packets.
   */
  gate: Gate;
  transport: Extract<RdmTransport, 'websocket' | 'legacy-websocket'>;
  /** Largest packet answered normally; frames up to twice this get the error reply, larger ones close with 1009. */
  maxBodyBytes: number;
  log: Logger;
  /** Given a websocket's upgrade headers, traces each of its packets (tracing on); absent: off. */
  tracePacket?: (headers: IncomingHttpHeaders) => PacketTracer;
}

/** Runs the answer to one packet sent to `path` in a trace span. */
export type PacketTracer = <T>(path: string, answer: () => Promise<T>) => Promise<T>;

/** Packets a keep-alive connection may queue before the gateway stops reading from it. */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 16;

/**
 * Websocket glue for RDM, shared by the main port (`/rdm/<operation>`) and the legacy listener
 * (`/<operation>`). By default: one packet, one reply, close 1000, as RDM did. With
 * `?keepalive=1` the connection stays open; packets are answered one at a time, in order, each
 * reply carrying the packet's `id`.
 */
export class RdmSocketServer {
  private readonly wss: WebSocketServer;

  constructor(private readonly options: RdmSocketOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * options.maxBodyBytes });
  }

  /**
   * Takes over an upgrade request for the RDM path `path` (relative to the mount, e.g. `/insert`).
   * `/health` answers RDM's plain HTTP health instead of upgrading, as RDM did.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    if (path === '/health') {
      socket.end(
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(RDM_HEALTH_TEXT)}\r\n` +
          `Connection: close\r\n\r\n${RDM_HEALTH_TEXT}`,
      );
      return;
    }
    const keepAlive = /^(1|true|yes|on)$/i.test(new URLSearchParams((request.url ?? '').split('?')[1] ?? '').get('keepalive') ?? '');
    const requestId = requestIdOf(request);
    const address = this.options.gate.addressOf(request);
    this.options.gate.admitRequest(request, true).then(
      (identity) => {
        const connection: Connection = { identity, address, requestId, traced: this.options.tracePacket?.(request.headers) };
        this.wss.handleUpgrade(request, socket, head, (ws) => (keepAlive ? this.serveMany(ws, path, connection) : this.serveOne(ws, path, connection)));
      },
      (error: unknown) => {
        // Refused before the upgrade: a plain HTTP answer (401 or 429) that says why.
        socket.end(upgradeRefusalText(httpRefusalOf(error)));
      },
    );
  }

  /** Closes every RDM websocket (1001). */
  close(): void {
    for (const ws of this.wss.clients) ws.close(RdmCloseCode.GoingAway, 'server shutting down');
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private serveOne(ws: WebSocket, path: string, connection: Connection): void {
    this.watchErrors(ws);
    ws.once('message', (data) => {
      void this.answer(ws, path, data, false, connection.requestId, connection).then(() => ws.close(RdmCloseCode.Normal));
    });
  }

  /** Keep-alive: packet n of the connection logs as `<connection's request id>/<n>`. */
  private serveMany(ws: WebSocket, path: string, connection: Connection): void {
    this.watchErrors(ws);
    const queue: RawData[] = [];
    let running = false;
    let packets = 0;
    const drain = async () => {
      running = true;
      for (let data = queue.shift(); data && ws.readyState === WebSocket.OPEN; data = queue.shift()) {
        await this.answer(ws, path, data, true, `${connection.requestId}/${++packets}`, connection);
        if (ws.isPaused && queue.length <= QUEUE_LOW) ws.resume();
      }
      running = false;
    };
    ws.on('message', (data) => {
      queue.push(data);
      // Backpressure: stop reading while a client runs far ahead of the answers.
      if (queue.length >= QUEUE_HIGH) ws.pause();
      if (!running) void drain();
    });
    ws.on('close', () => {
      queue.length = 0;
    });
  }

  /** Answers one frame. Never rejects: the translator answers every failure, and anything else drops this connection only. */
  private async answer(ws: WebSocket, path: string, data: RawData, echoId: boolean, requestId: string, connection: Connection): Promise<void> {
    try {
      try {
        // The connection was admitted once; every packet still counts against the rate limits.
        this.options.gate.charge(connection.identity, connection.address);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        if (ws.readyState === WebSocket.OPEN) ws.send(serializeRdmReply(errorReply(path, errorInfoOf(error))));
        const closeCode = rdmCloseOf(error.code);
        if (closeCode !== undefined) ws.close(closeCode, 'token expired');
        return;
      }
      // Binary frames are read as UTF-8 too: RDM's json.loads accepted bytes.
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
      const handle = () => this.options.translator.handle(path, text, { transport: this.options.transport, echoId, requestId, identity: connection.identity });
      const reply = await (connection.traced ? connection.traced(path, handle) : handle());
      if (ws.readyState !== WebSocket.OPEN) return;
      // Waiting for the write keeps a slow reader from piling replies up in memory.
      await new Promise<void>((resolve) => ws.send(serializeRdmReply(reply), () => resolve()));
    } catch (error) {
      this.options.log.error({ err: error, path, requestId }, 'RDM websocket reply failed');
      ws.terminate();
    }
  }

  private watchErrors(ws: WebSocket): void {
    // A protocol error (e.g. a frame over maxPayload) closes the socket by itself; only log it.
    ws.on('error', (error) => this.options.log.debug({ err: error }, 'RDM websocket error'));
  }
}

/** An admitted RDM websocket: whom the gate let in, from where. */
interface Connection {
  identity: Identity;
  address: string | undefined;
  requestId: string;
  /** Traces its packets, as children of its upgrade request's `traceparent` (tracing on). */
  traced?: PacketTracer;
}
