import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { isDomainError, RateLimited } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import { credentialFromConnectionParams, credentialFromHeaders } from './authenticator.js';
import type { Gate } from './gate.js';
import type { Identity } from './identity.js';
import type { SecurityConfig } from './settings.js';

/**
 * Close code for a graphql-ws connection refused by a rate limit or over the per-key connection
 * cap (4429, by analogy with HTTP 429); a refused credential closes with graphql-ws's 4403.
 */
export const CLOSE_TOO_MANY_REQUESTS = 4429;
/** graphql-ws's Forbidden close code, also used when a connection's token expires. */
export const CLOSE_FORBIDDEN = 4403;

interface Connection {
  identity: Identity;
  release: () => void;
  expiry?: NodeJS.Timeout;
}

/**
 * The gate for graphql-ws: authenticates `connection_init` (params `authorization`, `apiKey` or
 * `token`, else the upgrade request's headers), caps connections per key, closes the socket when
 * the token expires (ending its subscriptions), and admits each operation (rate limit, cap on
 * operations per connection).
 */
export class WsGuard {
  private readonly connections = new WeakMap<WebSocket, Connection>();

  constructor(
    private readonly gate: Gate,
    private readonly security: SecurityConfig,
    private readonly log: Logger,
  ) {}

  /** graphql-ws onConnect: true to acknowledge; false closes with 4403 (unless a 4429 close was sent first). */
  async connect(socket: WebSocket, request: IncomingMessage, connectionParams: unknown): Promise<boolean> {
    let identity: Identity;
    try {
      identity = await this.gate.admit(credentialFromConnectionParams(connectionParams) ?? credentialFromHeaders(request.headers), request.socket.remoteAddress);
    } catch (error) {
      this.log.info({ code: isDomainError(error) ? error.code : undefined }, 'graphql-ws connection refused');
      if (error instanceof RateLimited) socket.close(CLOSE_TOO_MANY_REQUESTS, error.message);
      return false;
    }
    const release = this.gate.openConnection(identity);
    if (!release) {
      socket.close(CLOSE_TOO_MANY_REQUESTS, `this key already holds ${this.security.maxConnectionsPerKey} connections, the most allowed`);
      return false;
    }
    const expiry =
      identity.expiresAt === undefined
        ? undefined
        : setTimeout(() => socket.close(CLOSE_FORBIDDEN, 'token expired'), Math.min(identity.expiresAt - Date.now(), 2 ** 31 - 1));
    this.connections.set(socket, { identity, release, expiry });
    return true;
  }

  /** graphql-ws onClose: frees the connection's place in its key's cap. */
  closed(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    connection?.release();
    clearTimeout(connection?.expiry);
    this.connections.delete(socket);
  }

  /**
   * Admits one operation of an acknowledged connection running `running` operations (this one
   * included): the connection's identity, or the errors to answer the operation with.
   */
  admitOperation(socket: WebSocket, request: IncomingMessage, running: number): Identity | GraphQLError[] {
    const connection = this.connections.get(socket);
    if (!connection) return [new GraphQLError('authentication required', { extensions: { code: 'UNAUTHENTICATED' } })];
    try {
      this.gate.charge(connection.identity, request.socket.remoteAddress);
    } catch (error) {
      if (isDomainError(error)) return [new GraphQLError(error.message, { extensions: { ...error.details, code: error.code } })];
      throw error;
    }
    const max = this.security.maxSubscriptionsPerConnection;
    if (running > max) {
      return [new GraphQLError(`this connection already runs ${max} operations, the most allowed; complete one first`, { extensions: { code: 'LIMIT_EXCEEDED', max } })];
    }
    return connection.identity;
  }
}
