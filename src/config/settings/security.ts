import { parseTrustedProxies } from '../../auth/client-address.js';
import { isLoopback, jwtSettings, parseApiKeys, type SecurityConfig } from '../../auth/settings.js';
import { parsePermissionRules } from '../../auth/rules.js';
import { parseChannelRules } from '../../subscriptions/channel-rules.js';
import { ConfigError, boolean, integer, oneOf, settings, text, type ValuesOf } from '../setting.js';

/** A JSON document parsed by `parse` (auth/rules.ts, subscriptions/channel-rules.ts); errors are prefixed with the variable. */
function rulesDocument<T>(parse: (input: unknown) => T): (raw: string, name: string, env: string) => T {
  return (raw, _name, env) => {
    try {
      return parse(JSON.parse(raw) as unknown);
    } catch (error) {
      throw new ConfigError(`${env}: ${(error as Error).message}`);
    }
  };
}

/** Authentication, permissions, rate limits and connection caps (README, "Security"). */
export const SECURITY = settings({
  authMode: {
    arg: '<mode>',
    parse: oneOf(['none', 'api-key', 'jwt']),
    fallback: 'none',
    help: ['none, api-key or jwt {env} (default none: everyone is the', 'admin role; refused on a non-loopback address without --insecure)'],
  },
  insecure: { switch: 'on', parse: boolean, fallback: false, help: ['allow AUTH_MODE=none on a non-loopback address {env}'] },
  apiKeys: {
    flag: false,
    json: true,
    parse: parseApiKeys,
    fallback: undefined,
    help: ['API keys (environment or config file only, never a flag):', 'key:role,key:role or {"key":"role"} {env}'],
  },
  jwtSecret: { flag: false, parse: text, fallback: undefined, help: ['HS256 secret, 32 bytes or more (environment or config file only)', '{env}'] },
  jwtPublicKeyFile: { arg: '<pem>', parse: text, fallback: undefined, help: ['RS256/ES256 public key (SPKI PEM) {env}'] },
  jwtJwksFile: { arg: '<file>', parse: text, fallback: undefined, help: ['JSON Web Key Set file {env}'] },
  jwtAlgorithms: {
    arg: '<list>',
    parse: text,
    fallback: undefined,
    help: ['accepted algorithms {env} (default HS256 with a', 'secret, RS256,ES256 with a key)'],
  },
  jwtRoleClaim: { arg: '<path>', parse: text, fallback: undefined, help: ['claim holding the role {env} (default role)'] },
  jwtUserClaim: { arg: '<path>', parse: text, fallback: undefined, help: ['claim holding the user id {env} (default sub)'] },
  jwtIssuer: { arg: '<iss>', parse: text, fallback: undefined, help: ['required issuer {env}'] },
  jwtAudience: { arg: '<aud>', parse: text, fallback: undefined, help: ['required audience {env}'] },
  permissions: {
    arg: '<json>',
    json: true,
    parse: rulesDocument(parsePermissionRules),
    fallback: undefined,
    help: ['per-role table rules (JSON; usually in the config file)', '{env} (default: only the admin role may do anything)'],
  },
  channels: {
    arg: '<json>',
    json: true,
    parse: rulesDocument(parseChannelRules),
    fallback: undefined,
    help: ['channel rules: kind, members, publishers per channel pattern', '(JSON; usually in the config file) {env} (default: only', 'the admin role may use channels)'],
  },
  rateLimitPerKey: {
    arg: '<n>',
    parse: integer(0, 1_000_000_000),
    fallback: 0,
    help: ['requests per key or user per window, 0 = no limit', '{env} (default {default})'],
  },
  rateLimitPerIp: {
    arg: '<n>',
    parse: integer(0, 1_000_000_000),
    fallback: 0,
    help: ['requests per client address per window, 0 = no limit', '{env} (default {default})'],
  },
  trustedProxies: {
    arg: '<list>',
    parse: (raw: string, _name: string, env: string): string[] => {
      try {
        return parseTrustedProxies(raw);
      } catch (error) {
        throw new ConfigError(`${env}: ${(error as Error).message}`);
      }
    },
    fallback: [],
    help: ['proxies whose X-Forwarded-For / Forwarded name the client', '(rate limits per address): addresses or CIDRs,', 'comma-separated {env} (default none)'],
  },
  rateLimitWindowMs: { arg: '<n>', parse: integer(100, 86_400_000), fallback: 60_000, help: ['rate-limit window {env} (default {default})'] },
  maxSubscriptionsPerConnection: { arg: '<n>', parse: integer(1, 1_000_000), fallback: 100, help: ['{env} (default {default})'] },
  maxConnectionsPerKey: {
    arg: '<n>',
    parse: integer(0, 1_000_000),
    fallback: 100,
    help: ['graphql-ws connections per key or user, 0 = no limit', '{env} (default {default})'],
  },
});

/**
 * The security settings from the table's values: API_KEYS required by mode `api-key`, the JWT
 * settings built (key files read) in mode `jwt` only, and AUTH_MODE=none refused on a
 * non-loopback address (`addresses`: HTTP, and the legacy RDM listener when on) unless
 * --insecure / INSECURE=true. Throws ConfigError naming the setting.
 */
export function securityFrom(values: ValuesOf<typeof SECURITY>, addresses: readonly string[]): SecurityConfig {
  const { authMode, apiKeys = new Map<string, string>(), permissions, channels } = values;
  if (authMode === 'api-key' && apiKeys.size === 0) throw new ConfigError('AUTH_MODE=api-key needs API_KEYS (key:role pairs)');
  let jwt: SecurityConfig['jwt'];
  try {
    jwt = authMode === 'jwt' ? jwtSettings(values) : undefined;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const exposed = addresses.find((address) => !isLoopback(address));
  if (authMode === 'none' && exposed && !values.insecure) {
    throw new ConfigError(`AUTH_MODE=none on the non-loopback address ${exposed} would let anyone reach the database: set AUTH_MODE=api-key or jwt, or pass --insecure`);
  }
  return {
    authMode,
    insecure: values.insecure,
    apiKeys,
    jwt,
    permissions: permissions ?? parsePermissionRules(undefined),
    channels: channels ?? parseChannelRules(undefined),
    rateLimitPerKey: values.rateLimitPerKey,
    rateLimitPerIp: values.rateLimitPerIp,
    trustedProxies: values.trustedProxies,
    rateLimitWindowMs: values.rateLimitWindowMs,
    maxSubscriptionsPerConnection: values.maxSubscriptionsPerConnection,
    maxConnectionsPerKey: values.maxConnectionsPerKey,
  };
}
