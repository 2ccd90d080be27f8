import { STATUS_CODES } from 'node:http';
import { HTTP_STATUS, type ErrorCode } from './codes.js';
import { errorInfoOf, isDomainError, type ErrorInfo } from './domain.js';

/** How an HTTP answer refuses a request: status, headers that say how to do better, and what went wrong. */
export interface HttpRefusal {
  status: number;
  /** WWW-Authenticate for UNAUTHENTICATED, Retry-After (whole seconds) for RATE_LIMITED. */
  headers: Record<string, string>;
  info: ErrorInfo;
  /** A domain error's details plus its code: the GraphQL body's `extensions`. */
  extensions: Record<string, unknown>;
}

/**
 * An HTTP refusal with `code`: the code's status (HTTP_STATUS) unless `status` is given (e.g.
 * 413 or 415 for a BAD_USER_INPUT body), WWW-Authenticate: Bearer for UNAUTHENTICATED and
 * Retry-After for a `details.retryAfter` in seconds.
 */
export function httpRefusal(code: ErrorCode, message: string, { status, details = {} }: { status?: number; details?: Readonly<Record<string, unknown>> } = {}): HttpRefusal {
  const headers: Record<string, string> = {};
  if (code === 'UNAUTHENTICATED') headers['www-authenticate'] = 'Bearer';
  if (typeof details.retryAfter === 'number') headers['retry-after'] = String(details.retryAfter);
  return { status: status ?? HTTP_STATUS[code], headers, info: { code, message }, extensions: { ...details, code } };
}

/**
 * The HTTP refusal for a thrown `error`: a domain error's code, message and details; anything
 * else is a 500 INTERNAL_SERVER_ERROR saying `unexpected` (the caller logs the original).
 * @default unexpected "Unexpected error."
 */
export function httpRefusalOf(error: unknown, unexpected?: string): HttpRefusal {
  const { code, message } = errorInfoOf(error, unexpected);
  return httpRefusal(code, message, { details: isDomainError(error) ? error.details : {} });
}

/** A refusal as a GraphQL-over-HTTP body: `{"errors": [{"message", "extensions": {code, ...details}}]}` (the gate's refusals). */
export function graphqlRefusalBody({ info, extensions }: HttpRefusal): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return { errors: [{ message: info.message, extensions }] };
}

/** A refusal as a plain JSON body: `{"error": {"code", "message"}}` (`POST /events`). */
export function plainRefusalBody({ info }: HttpRefusal): { error: ErrorInfo } {
  return { error: { code: info.code, message: info.message } };
}

/**
 * A refusal written as a raw HTTP/1.1 response on a socket whose upgrade was refused (the
 * websocket never opens): the status and headers, and `{"code", "message"}` as JSON; closes.
 */
export function upgradeRefusalText({ status, headers, info }: HttpRefusal): string {
  const text = JSON.stringify({ code: info.code, message: info.message });
  const lines = Object.entries({ ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${text}`;
}
