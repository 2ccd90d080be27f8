// graphql-ws's protocol core (`makeServer`) on `ws` sockets: the transport glue that
// graphql-ws/use/ws would be, kept lean because an idle subscription keeps all of it alive for
// as long as it is open. What differs from use/ws, and why:
// - keep-alive: one timer for every socket (use/ws: a timer per socket), pinging a sixtieth of
//   them per tick (pinging 10,000 sockets at once stalled the event loop for over 100 ms);
// - messages reach graphql-ws as text, and nothing awaits their handling in a frame of its own
//   (use/ws awaits each message's handling, for a subscription its whole life, with ws's Buffer
//   in scope);
// - the adapter graphql-ws talks to is a class instance, not an object of closures;
// - a client's protocol mistake (an oversized or malformed frame: ws's WS_ERR_* errors; ws closes
//   the socket itself, e.g. 1009) is logged at info, not printed with a stack trace to stderr.
import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, type Server, type WebSocket as ProtocolSocket } from 'graphql-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { UpgradeHeaders } from '../auth/ws-guard.js';
import type { Logger } from '../observability/logger.js';

/** What graphql-ws's context carries of a connection (`ctx.extra`). */
export interface WsExtra {
  readonly socket: WebSocket;
  /**
   * What is kept of the upgrade request: its headers (the credential at connection_init, a client
   * address behind a trusted proxy, a trace parent) and its TCP socket (the peer address), not the
   * IncomingMessage itself (its raw headers, stream state and listeners: ~1 KiB per idle socket).
   */
  readonly request: UpgradeHeaders;
}

/** Sockets served by `serveGraphqlWs`. */
export interface GraphqlWsSockets {
  /** Serves one upgraded socket. */
  accept(socket: WebSocket, request: IncomingMessage): void;
  /** Sends close 1001 to every socket and stops the keep-alive; resolves once the server closed. */
  dispose(): Promise<void>;
}

/** The socket as graphql-ws's core sees it. */
class ProtocolAdapter implements ProtocolSocket {
  constructor(
    private readonly socket: WebSocket,
    private readonly log: Logger,
  ) {}

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> | void {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return;
    return new Promise((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())));
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.socket.on('message', (data: RawData) => {
      handle(String(data)).catch((error: unknown) => {
        this.log.error({ err: error }, 'graphql-ws message handling failed');
        this.socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
    });
  }
}

/** ws calls 'pong' listeners with the socket as `this`. */
function answered(this: WebSocket): void {
  awaitingPong.delete(this);
}
const awaitingPong = new WeakSet<WebSocket>();

/** The keep-alive timer visits one slot per tick, so each socket is pinged once per period. */
const KEEP_ALIVE_SLOTS = 60;

/**
 * Serves graphql-transport-ws sockets of `server` (noServer mode) with graphql-ws's `core`.
 * Every `keepAliveMs` each open socket is pinged, and one that did not answer the previous ping
 * is terminated (use/ws's rule: a pong within `keepAliveMs`). @default keepAliveMs 12,000 (use/ws's)
 */
export function serveGraphqlWs(server: WebSocketServer, core: Server<WsExtra>, log: Logger, keepAliveMs = 12_000): GraphqlWsSockets {
  server.options.handleProtocols = handleProtocols;
  server.once('error', (error) => {
    log.error({ err: error }, 'graphql-ws server error');
    for (const client of server.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  // Sockets are spread over the slots as they come, so a tick pings a sixtieth of them.
  const slots = Array.from({ length: KEEP_ALIVE_SLOTS }, () => new Set<WebSocket>());
  let accepted = 0;
  let tick = 0;
  const keepAlive = setInterval(() => {
    for (const socket of slots[tick++ % KEEP_ALIVE_SLOTS] ?? []) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, keepAliveMs / KEEP_ALIVE_SLOTS);
  keepAlive.unref();
  return {
    accept(socket, request) {
      socket.on('error', (error: Error & { code?: string }) => {
        if (error.code?.startsWith('WS_ERR_')) return log.info({ code: error.code, message: error.message }, 'graphql-ws frame refused');
        log.error({ err: error }, 'graphql-ws socket error');
        socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
      socket.on('pong', answered);
      const slot = slots[accepted++ % KEEP_ALIVE_SLOTS];
      slot?.add(socket);
      const closed = core.opened(new ProtocolAdapter(socket, log), { socket, request: { headers: request.headers, socket: request.socket } });
      socket.once('close', (code, reason) => {
        slot?.delete(socket);
        closed(code, String(reason)).catch((error: unknown) => log.error({ err: error }, 'graphql-ws close handling failed'));
      });
    },
    async dispose() {
      clearInterval(keepAlive);
      for (const client of server.clients) client.close(1001, 'Going away');
      server.removeAllListeners();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
