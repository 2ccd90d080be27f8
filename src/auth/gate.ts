import type { IncomingMessage } from 'node:http';
import { RateLimited, Unauthenticated } from '../errors/domain.js';
import type { BlockList } from 'node:net';
import { Authenticator, credentialFromHeaders, credentialFromUrl } from './authenticator.js';
import { clientAddress, trustedProxyList } from './client-address.js';
import type { Identity } from './identity.js';
import { RateLimiter } from './rate-limiter.js';
import type { SecurityConfig } from './settings.js';

/**
 * The way in for every transport: rate limit per address, authenticate, rate limit per key or
 * user, and count open connections per key. HTTP GraphQL, SSE, graphql-ws and the RDM
 * endpoints all go through one Gate, so they enforce the same rules. Refusals are thrown as
 * domain errors; each transport answers them with src/errors/ (HTTP status and headers, close code).
 */
export class Gate {
  readonly authenticator: Authenticator;
  private readonly perIp: RateLimiter;
  private readonly perKey: RateLimiter;
  private readonly connections = new Map<string, number>();
  private readonly trustedProxies: BlockList | undefined;

  constructor(private readonly security: SecurityConfig) {
    this.authenticator = new Authenticator(security);
    this.trustedProxies = security.trustedProxies.length > 0 ? trustedProxyList(security.trustedProxies) : undefined;
    this.perIp = new RateLimiter(security.rateLimitPerIp, security.rateLimitWindowMs);
    this.perKey = new RateLimiter(security.rateLimitPerKey, security.rateLimitWindowMs);
  }

  /**
   * Admits one request or connection: counts it against the address (before authenticating, so
   * guessing keys is limited too), authenticates the credential, counts it against the key.
   * Throws RateLimited or Unauthenticated.
   */
  async admit(credential: string | undefined, address: string | undefined): Promise<Identity> {
    this.chargeAddress(address);
    const identity = await this.authenticator.authenticate(credential);
    this.chargeKey(identity);
    return identity;
  }

  /** Admits an HTTP request or websocket upgrade: credential from the headers, else the `token` query parameter if `allowQueryToken`. */
  admitRequest(request: IncomingMessage, allowQueryToken = false): Promise<Identity> {
    const credential = credentialFromHeaders(request.headers) ?? (allowQueryToken ? credentialFromUrl(request.url) : undefined);
    return this.admit(credential, this.addressOf(request));
  }

  /** The client's address: the socket's peer, or what a trusted proxy says it forwards for (TRUSTED_PROXIES). */
  addressOf(request: Pick<IncomingMessage, 'headers' | 'socket'>): string | undefined {
    return clientAddress(request, this.trustedProxies);
  }

  /** Counts an unauthenticated request (the GraphiQL page, `/ready`) against its address; throws RateLimited. */
  chargeAnonymous(request: IncomingMessage): void {
    this.chargeAddress(this.addressOf(request));
  }

  /**
   * Counts one more request on an open connection (a graphql-ws operation, an RDM packet).
   * Throws Unauthenticated once the connection's credential has expired, or RateLimited.
   */
  charge(identity: Identity, address: string | undefined): void {
    if (identity.expiresAt !== undefined && Date.now() >= identity.expiresAt) throw new Unauthenticated('token expired');
    this.chargeAddress(address);
    this.chargeKey(identity);
  }

  /**
   * Registers an open long-lived connection of `identity`; returns its release function, or
   * undefined when the key already holds `maxConnectionsPerKey` connections.
   */
  openConnection(identity: Identity): (() => void) | undefined {
    const { subject } = identity;
    const max = this.security.maxConnectionsPerKey;
    if (subject === null || max === 0) return () => undefined;
    const open = this.connections.get(subject) ?? 0;
    if (open >= max) return undefined;
    this.connections.set(subject, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.connections.get(subject) ?? 1) - 1;
      if (left === 0) this.connections.delete(subject);
      else this.connections.set(subject, left);
    };
  }

  private chargeAddress(address: string | undefined): void {
    const wait = this.perIp.take(`ip:${address ?? 'unknown'}`);
    if (wait > 0) throw new RateLimited(wait, 'ip');
  }

  private chargeKey(identity: Identity): void {
    if (identity.subject === null) return;
    const wait = this.perKey.take(identity.subject);
    if (wait > 0) throw new RateLimited(wait, 'key');
  }
}
