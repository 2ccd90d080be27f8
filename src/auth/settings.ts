import { readFileSync } from 'node:fs';
import type { ChannelRules } from '../subscriptions/channel-rules.js';
import type { PermissionRules } from './rules.js';

/** How callers prove who they are. */
export type AuthMode = 'none' | 'api-key' | 'jwt';

/** JWT verification settings (mode `jwt`). Exactly one of secret, publicKey, jwks is set. */
export interface JwtSettings {
  /** HS256 shared secret. */
  readonly secret?: string;
  /** PEM public key (SPKI) for RS256 / ES256. */
  readonly publicKey?: string;
  /** A JSON Web Key Set (parsed JSON of the JWKS file). */
  readonly jwks?: { keys: Record<string, unknown>[] };
  /** Accepted algorithms. @default ['HS256'] with a secret, ['RS256', 'ES256'] with a key or JWKS */
  readonly algorithms: readonly string[];
  /** Claim holding the role (dotted path into the payload). @default 'role' */
  readonly roleClaim: string;
  /** Claim holding the user id. @default 'sub' */
  readonly userClaim: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Authentication, permissions and abuse limits. */
export interface SecurityConfig {
  /** @default 'none' */
  readonly authMode: AuthMode;
  /** Allow `none` on a non-loopback address. @default false */
  readonly insecure: boolean;
  /** API key -> role (mode `api-key`). */
  readonly apiKeys: ReadonlyMap<string, string>;
  readonly jwt?: JwtSettings;
  readonly permissions: PermissionRules;
  /** Who may subscribe to and publish on which channels (src/subscriptions/channel-rules.ts). */
  readonly channels: ChannelRules;
  /** Requests (HTTP requests, graphql-ws operations, RDM packets) per key or user per window; 0: no limit. @default 0 */
  readonly rateLimitPerKey: number;
  /** Requests per client address per window; 0: no limit. @default 0 */
  readonly rateLimitPerIp: number;
  /** Proxies (addresses, CIDRs) whose X-Forwarded-For / Forwarded name the client address. @default none */
  readonly trustedProxies: readonly string[];
  /** Length of the rate-limit window in ms. @default 60000 */
  readonly rateLimitWindowMs: number;
  /** Most subscriptions one graphql-ws connection may run at once. @default 100 */
  readonly maxSubscriptionsPerConnection: number;
  /** Most graphql-ws connections one key or user may hold open; 0: no limit. @default 100 */
  readonly maxConnectionsPerKey: number;
}

const MIN_KEY_LENGTH = 16;

/**
 * Parses API_KEYS: `key:role,key:role` or a JSON object `{ "key": "role" }`, keys of 16 characters
 * or more. Throws an Error naming the entry by position (never echoing a key).
 */
export function parseApiKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let pairs: [string, unknown][];
  if (text.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`API_KEYS: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('API_KEYS must map keys to roles');
    pairs = Object.entries(parsed);
  } else {
    pairs = text.split(',').map((pair) => {
      const at = pair.lastIndexOf(':');
      return at < 0 ? [pair.trim(), undefined] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    });
  }
  pairs.forEach(([key, role], i) => {
    // Never echo a key: the message names its position only.
    if (typeof role !== 'string' || !/^[\w-]{1,64}$/.test(role)) throw new Error(`API_KEYS: entry ${i + 1} needs a role (key:role)`);
    if (key.length < MIN_KEY_LENGTH || /[\s,]/.test(key)) {
      throw new Error(`API_KEYS: the key of entry ${i + 1} (role ${role}) must be at least ${MIN_KEY_LENGTH} characters, without spaces or commas`);
    }
    keys.set(key, role);
  });
  return keys;
}

/** The JWT settings as given (JWT_SECRET, JWT_PUBLIC_KEY_FILE, ...); an empty string counts as unset. */
export interface JwtInput {
  readonly jwtSecret?: string;
  /** Path of a PEM file. */
  readonly jwtPublicKeyFile?: string;
  /** Path of a JSON Web Key Set file. */
  readonly jwtJwksFile?: string;
  /** Comma-separated. */
  readonly jwtAlgorithms?: string;
  readonly jwtRoleClaim?: string;
  readonly jwtUserClaim?: string;
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
}

/**
 * Builds the JWT settings (mode `jwt`): reads the key files, checks there is exactly one key
 * source, that a secret is long enough and that the algorithms fit the key. Throws an Error
 * naming the setting.
 */
export function jwtSettings(input: JwtInput): JwtSettings {
  const secret = input.jwtSecret || undefined;
  const publicKey = input.jwtPublicKeyFile ? readText('JWT_PUBLIC_KEY_FILE', input.jwtPublicKeyFile) : undefined;
  let jwks: JwtSettings['jwks'];
  if (input.jwtJwksFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readText('JWT_JWKS_FILE', input.jwtJwksFile));
    } catch (error) {
      throw new Error(`JWT_JWKS_FILE: ${(error as Error).message}`);
    }
    const keys = (parsed as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'object' && key !== null)) {
      throw new Error('JWT_JWKS_FILE must hold a JSON Web Key Set: { "keys": [ ... ] }');
    }
    jwks = { keys: keys as Record<string, unknown>[] };
  }
  const sources = [secret, publicKey, jwks].filter((source) => source !== undefined).length;
  if (sources !== 1) throw new Error('AUTH_MODE=jwt needs exactly one of JWT_SECRET, JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE');
  if (secret !== undefined && Buffer.byteLength(secret) < 32) throw new Error('JWT_SECRET must be at least 32 bytes (HS256 keys shorter than the hash are weak)');
  const algorithms = input.jwtAlgorithms
    ? input.jwtAlgorithms.split(',').map((alg) => alg.trim())
    : secret !== undefined
      ? ['HS256']
      : ['RS256', 'ES256'];
  const allowed = secret !== undefined ? ['HS256', 'HS384', 'HS512'] : ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  const bad = algorithms.find((alg) => !allowed.includes(alg));
  if (bad) throw new Error(`JWT_ALGORITHMS: "${bad}" does not fit the configured key (allowed: ${allowed.join(', ')})`);
  return {
    secret,
    publicKey,
    jwks,
    algorithms,
    roleClaim: input.jwtRoleClaim || 'role',
    userClaim: input.jwtUserClaim || 'sub',
    issuer: input.jwtIssuer || undefined,
    audience: input.jwtAudience || undefined,
  };
}

function readText(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
