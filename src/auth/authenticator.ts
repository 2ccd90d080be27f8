import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createLocalJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Unauthenticated } from '../errors/domain.js';
import { ANONYMOUS_ADMIN, type Identity } from './identity.js';
import type { JwtSettings, SecurityConfig } from './settings.js';

/**
 * Turns a credential (API key or JWT) into an Identity, per the configured mode. With mode
 * `none` every caller is the admin role. Every failure is Unauthenticated with a message that
 * says what is wrong with the credential, never anything about tables.
 */
export class Authenticator {
  private readonly keys: { digest: Buffer; role: string }[];
  private jwtKey: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly security: SecurityConfig) {
    this.keys = [...security.apiKeys].map(([key, role]) => ({ digest: sha256(key), role }));
  }

  /** Whether callers must present a credential. */
  get required(): boolean {
    return this.security.authMode !== 'none';
  }

  /** The identity for a credential (undefined: none was sent). Throws Unauthenticated. */
  async authenticate(credential: string | undefined): Promise<Identity> {
    if (this.security.authMode === 'none') return ANONYMOUS_ADMIN;
    if (!credential) throw new Unauthenticated('authentication required: send Authorization: Bearer <credential> or X-Api-Key');
    return this.security.authMode === 'api-key' ? this.apiKey(credential) : this.jwt(credential, this.security.jwt as JwtSettings);
  }

  private apiKey(credential: string): Identity {
    // Compare digests (equal length) against EVERY key, so timing says nothing about which matched.
    const digest = sha256(credential);
    let role: string | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest) && role === undefined) role = key.role;
    if (role === undefined) throw new Unauthenticated('invalid API key');
    return { role, userId: null, claims: {}, subject: `key:${digest.subarray(0, 6).toString('hex')}` };
  }

  private async jwt(token: string, settings: JwtSettings): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keyFor(settings), {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new Unauthenticated(describeJwtError(error));
    }
    const role = claimAt(payload, settings.roleClaim);
    if (typeof role !== 'string' || role === '') throw new Unauthenticated(`token has no "${settings.roleClaim}" claim naming a role`);
    const user = claimAt(payload, settings.userClaim);
    const userId = typeof user === 'string' || typeof user === 'number' ? String(user) : null;
    return {
      role,
      userId,
      claims: payload,
      subject: userId !== null ? `user:${userId}` : `role:${role}`,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
  }

  /** The verification key, as a key-lookup function (one jwtVerify overload for every kind); imported once. */
  private keyFor(settings: JwtSettings): Promise<JWTVerifyGetKey> {
    this.jwtKey ??= (async (): Promise<JWTVerifyGetKey> => {
      if (settings.jwks) return createLocalJWKSet(settings.jwks as Parameters<typeof createLocalJWKSet>[0]);
      if (settings.secret !== undefined) {
        const secret = new TextEncoder().encode(settings.secret);
        return () => secret;
      }
      // A PEM key is imported for the token's algorithm (jwtVerify has already checked it is
      // an accepted one): one RSA or EC key serves whichever of RS256 / ES256 fits it.
      const imported = new Map<string, ReturnType<typeof importSPKI>>();
      return (header) => {
        const alg = header.alg ?? '';
        let key = imported.get(alg);
        if (!key) imported.set(alg, (key = importSPKI(settings.publicKey as string, alg)));
        return key;
      };
    })();
    return this.jwtKey;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function describeJwtError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token rejected: ${error.message}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof joseErrors.JOSEError) return `invalid token (${error.code})`;
  return 'invalid token';
}

/** A (dotted) claim path's value in a token payload. */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The credential of an HTTP request or websocket upgrade: `Authorization: Bearer <c>`, else `X-Api-Key`. */
export function credentialFromHeaders(headers: IncomingHttpHeaders | Headers): string | undefined {
  const get = (name: string) => {
    const value = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(value) ? value[0] : (value ?? undefined);
  };
  const authorization = get('authorization');
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  return bearer ?? (get('x-api-key')?.trim() || undefined);
}

/** The `token` query parameter of a request URL (for RDM websocket clients that cannot set headers). */
export function credentialFromUrl(url: string | undefined): string | undefined {
  const query = (url ?? '').split('?')[1];
  return query ? new URLSearchParams(query).get('token') || undefined : undefined;
}

/**
 * The credential in graphql-ws `connection_init` params: `{ authorization: 'Bearer <c>' }`,
 * `{ apiKey }` or `{ token }`. Anything else (not an object, wrong types) is no credential.
 */
export function credentialFromConnectionParams(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const { authorization, Authorization, apiKey, token } = params as Record<string, unknown>;
  const header = typeof authorization === 'string' ? authorization : typeof Authorization === 'string' ? Authorization : undefined;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer) return bearer;
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  return typeof token === 'string' && token ? token : undefined;
}
