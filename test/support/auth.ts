import { SignJWT } from 'jose';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { GraphQLResponse, TestGateway } from './gateway.js';

/** A 32-byte HS256 secret for tests. */
export const TEST_SECRET = 'test-secret-of-at-least-32-bytes-long!';

/** Security settings parsed the way the gateway parses them, from environment-style settings. */
export function securityFrom(env: Record<string, string>): Config['security'] {
  const config = loadConfig([], env);
  if (config === 'help') throw new Error('unreachable');
  return config.security;
}

/** An HS256 token with `claims`; `expiresIn` / `notBefore` as jose takes them (e.g. '1h', or seconds since the epoch). */
export async function token(claims: Record<string, unknown>, { secret = TEST_SECRET, expiresIn = '1h' as string | number, notBefore }: { secret?: string; expiresIn?: string | number; notBefore?: number } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn);
  if (notBefore !== undefined) jwt = jwt.setNotBefore(notBefore);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** The HTTP answer to one GraphQL POST with extra headers: status, headers and parsed body. */
export async function post<T = Record<string, unknown>>(
  gw: TestGateway,
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: GraphQLResponse<T> }> {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T> };
}

/** Bearer authorization header. */
export const bearer = (credential: string): Record<string, string> => ({ authorization: `Bearer ${credential}` });

