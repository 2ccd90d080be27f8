import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { GraphqlWsCloseCode, graphqlWsCloseOf } from '../errors/close-codes.js';
import { errorInfoOf, isDomainError } from '../errors/domain.js';
import { codedGraphQLError, graphqlErrorOf } from '../errors/graphql.js';
import type { Logger } from '../observability/logger.js';
import { credentialFromConnectionParams, credentialFromHeaders } from './authenticator.js';
import type { Gate } from './gate.js';
import type { Identity } from './identity.js';
import type { SecurityConfig } from './settings.js';

/** What the guard reads of a websocket's upgrade request (the transport may keep no more than this). */
export type UpgradeHeaders = Pick<IncomingMessage, 'headers' | 'socket'>;

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
  async connect(socket: WebSocket, request: UpgradeHeaders, connectionParams: unknown): Promise<boolean> {
    let identity: Identity;
    try {
      identity = await this.gate.admit(credentialFromConnectionParams(connectionParams) ?? credentialFromHeaders(request.headers), this.gate.addressOf(request));
    } catch (error) {
      const { code, message } = errorInfoOf(error);
      this.log.info({ code: isDomainError(error) ? code : undefined }, 'graphql-ws connection refused');
      // Returning false makes graphql-ws close with Forbidden; any other code is sent first.
      const closeCode = graphqlWsCloseOf(code);
      if (closeCode !== GraphqlWsCloseCode.Forbidden) socket.close(closeCode, message);
      return false;
    }
    const release = this.gate.openConnection(identity);
    if (!release) {
      socket.close(GraphqlWsCloseCode.TooManyRequests, `this key already holds ${this.security.maxConnectionsPerKey} connections, the most allowed`);
      return false;
    }
    const expiry =
      identity.expiresAt === undefined
        ? undefined
        : setTimeout(() => socket.close(GraphqlWsCloseCode.Forbidden, 'token expired'), Math.min(identity.expiresAt - Date.now(), 2 ** 31 - 1));
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
  admitOperation(socket: WebSocket, request: UpgradeHeaders, running: number): Identity | GraphQLError[] {
    const connection = this.connections.get(socket);
    if (!connection) return [codedGraphQLError('UNAUTHENTICATED', 'authentication required')];
    try {
      this.gate.charge(connection.identity, this.gate.addressOf(request));
    } catch (error) {
      if (isDomainError(error)) return [graphqlErrorOf(error)];
      throw error;
    }
    const max = this.security.maxSubscriptionsPerConnection;
    if (running > max) {
      return [codedGraphQLError('LIMIT_EXCEEDED', `this connection already runs ${max} operations, the most allowed; complete one first`, { max })];
    }
    return connection.identity;
  }
}
