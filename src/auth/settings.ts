import { readFileSync } from 'node:fs';
import { parseChannelRules, type ChannelRules } from '../subscriptions/channel-rules.js';
import { parsePermissionRules, type PermissionRules } from './rules.js';

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
  /** Length of the rate-limit window in ms. @default 60000 */
  readonly rateLimitWindowMs: number;
  /** Most subscriptions one graphql-ws connection may run at once. @default 100 */
  readonly maxSubscriptionsPerConnection: number;
  /** Most graphql-ws connections one key or user may hold open; 0: no limit. @default 100 */
  readonly maxConnectionsPerKey: number;
}

/** Security settings in environment-variable form (already picked from flags, env or file). */
export type SecurityInput = Readonly<Record<string, string | undefined>>;

const MIN_KEY_LENGTH = 16;

/**
 * Parses the security settings. `values` holds AUTH_MODE, INSECURE, API_KEYS, JWT_*,
 * PERMISSIONS, RATE_LIMIT_*, MAX_SUBSCRIPTIONS_PER_CONNECTION and MAX_CONNECTIONS_PER_KEY in
 * string form; `int` and `bool` are config.ts's validators. Throws an Error naming the setting.
 */
export function parseSecurity(
  values: SecurityInput,
  int: (name: string, fallback: number, min: number, max: number) => number,
  bool: (name: string, fallback: boolean) => boolean,
): SecurityConfig {
  const authMode = values.AUTH_MODE ?? 'none';
  if (authMode !== 'none' && authMode !== 'api-key' && authMode !== 'jwt') {
    throw new Error(`AUTH_MODE must be none, api-key or jwt (got "${authMode}")`);
  }
  const apiKeys = parseApiKeys(values.API_KEYS);
  if (authMode === 'api-key' && apiKeys.size === 0) throw new Error('AUTH_MODE=api-key needs API_KEYS (key:role pairs)');
  let permissions: PermissionRules;
  try {
    permissions = parsePermissionRules(values.PERMISSIONS === undefined ? undefined : (JSON.parse(values.PERMISSIONS) as unknown));
  } catch (error) {
    throw new Error(`PERMISSIONS: ${(error as Error).message}`);
  }
  let channels: ChannelRules;
  try {
    channels = parseChannelRules(values.CHANNELS === undefined ? undefined : (JSON.parse(values.CHANNELS) as unknown));
  } catch (error) {
    throw new Error(`CHANNELS: ${(error as Error).message}`);
  }
  return {
    authMode,
    insecure: bool('INSECURE', false),
    apiKeys,
    jwt: authMode === 'jwt' ? parseJwt(values) : undefined,
    permissions,
    channels,
    rateLimitPerKey: int('RATE_LIMIT_PER_KEY', 0, 0, 1_000_000_000),
    rateLimitPerIp: int('RATE_LIMIT_PER_IP', 0, 0, 1_000_000_000),
    rateLimitWindowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, 100, 86_400_000),
    maxSubscriptionsPerConnection: int('MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 1_000_000),
    maxConnectionsPerKey: int('MAX_CONNECTIONS_PER_KEY', 100, 0, 1_000_000),
  };
}

/** `key:role,key:role` or a JSON object `{ "key": "role" }`. */
function parseApiKeys(text: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  if (!text) return keys;
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

function parseJwt(values: SecurityInput): JwtSettings {
  const secret = values.JWT_SECRET || undefined;
  const publicKey = values.JWT_PUBLIC_KEY_FILE ? readText('JWT_PUBLIC_KEY_FILE', values.JWT_PUBLIC_KEY_FILE) : undefined;
  let jwks: JwtSettings['jwks'];
  if (values.JWT_JWKS_FILE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readText('JWT_JWKS_FILE', values.JWT_JWKS_FILE));
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
  const algorithms = values.JWT_ALGORITHMS
    ? values.JWT_ALGORITHMS.split(',').map((alg) => alg.trim())
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
    roleClaim: values.JWT_ROLE_CLAIM || 'role',
    userClaim: values.JWT_USER_CLAIM || 'sub',
    issuer: values.JWT_ISSUER || undefined,
    audience: values.JWT_AUDIENCE || undefined,
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

/** The command-line options of the security settings (API_KEYS and JWT_SECRET have none: a secret on the command line shows in `ps`). */
export const SECURITY_OPTIONS = {
  'auth-mode': { type: 'string' },
  insecure: { type: 'boolean' },
  'jwt-public-key-file': { type: 'string' },
  'jwt-jwks-file': { type: 'string' },
  'jwt-algorithms': { type: 'string' },
  'jwt-role-claim': { type: 'string' },
  'jwt-user-claim': { type: 'string' },
  'jwt-issuer': { type: 'string' },
  'jwt-audience': { type: 'string' },
  permissions: { type: 'string' },
  channels: { type: 'string' },
  'rate-limit-per-key': { type: 'string' },
  'rate-limit-per-ip': { type: 'string' },
  'rate-limit-window-ms': { type: 'string' },
  'max-subscriptions-per-connection': { type: 'string' },
  'max-connections-per-key': { type: 'string' },
} as const;

/** Where config.ts found each setting, and its validators (so messages name flags and variables alike). */
export interface SecuritySources {
  /** Parsed command-line values. */
  flags: Readonly<Record<string, string | boolean | undefined>>;
  env: SecurityInput;
  /** [source name, value] of a string setting from its flag, else its environment variable. */
  pick: (flag: string | undefined, name: string) => [string, string] | undefined;
  int: (source: string, value: string, min: number, max: number) => number;
  bool: (source: string, value: string) => boolean;
  /** The addresses the gateway listens on (HTTP, and the legacy RDM listener when on). */
  addresses: readonly string[];
}

/**
 * The security settings from flags, environment and config file (API_KEYS and JWT_SECRET from
 * the environment or config file only). Refuses AUTH_MODE=none on a non-loopback address unless
 * --insecure / INSECURE=true. Throws an Error naming the setting.
 */
export function securityFrom({ flags, env, pick, int, bool, addresses }: SecuritySources): SecurityConfig {
  const input: Record<string, string | undefined> = { API_KEYS: env.API_KEYS || undefined, JWT_SECRET: env.JWT_SECRET || undefined };
  const sources: Record<string, string> = {};
  for (const [name, option] of Object.entries(SECURITY_OPTIONS)) {
    if (option.type !== 'string') continue;
    const flag = flags[name];
    const found = pick(typeof flag === 'string' ? flag : undefined, name);
    if (found) [sources[envName(name)], input[envName(name)]] = found;
  }
  const security = parseSecurity(
    input,
    (name, fallback, min, max) => (input[name] === undefined ? fallback : int(sources[name] ?? name, input[name], min, max)),
    (name, fallback) => (name === 'INSECURE' && flags.insecure ? true : env[name] ? bool(name, env[name]) : fallback),
  );
  const exposed = addresses.find((address) => !isLoopback(address));
  if (security.authMode === 'none' && exposed && !security.insecure) {
    throw new Error(`AUTH_MODE=none on the non-loopback address ${exposed} would let anyone reach the database: set AUTH_MODE=api-key or jwt, or pass --insecure`);
  }
  return security;
}

function envName(flag: string): string {
  return flag.toUpperCase().replace(/-/g, '_');
}
