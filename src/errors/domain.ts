import { UNEXPECTED_MESSAGE, type ErrorCode } from './codes.js';

export type { ErrorCode } from './codes.js';

/**
 * Domain errors. Every layer throws these; src/errors/ maps them, once, to every wire shape
 * (graphql.ts: GraphQL errors with `extensions.code`; http.ts: HTTP refusals and the code and
 * message of an RDM reply; close-codes.ts: websocket close codes). Any other error is unexpected:
 * it is logged in full and masked for clients.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra machine-readable facts for clients (e.g. `{ db, table }`); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The input names something invalid: a bad name, operator, filter or value. */
export class BadInput extends DomainError {
  readonly code = 'BAD_USER_INPUT';
}

/** A database, table, index or document does not exist. */
export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
}

/** The write collides with existing state (duplicate primary key, table already exists). */
export class Conflict extends DomainError {
  readonly code = 'CONFLICT';
}

/** The caller may not do this. */
export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
}

/**
 * No valid credential: missing, unknown, malformed, expired or not yet valid. The message never
 * says which tables or databases exist (authentication runs before anything is looked up).
 */
export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** Too many requests from this key, user or address; `details.retryAfter` is the wait in whole seconds. */
export class RateLimited extends DomainError {
  readonly code = 'RATE_LIMITED';

  constructor(readonly retryAfter: number, scope: 'key' | 'ip') {
    super(`rate limit exceeded for this ${scope === 'ip' ? 'address' : 'key'}; retry in ${retryAfter} s`, { retryAfter });
  }
}

/** The database cannot be reached right now; retrying later may succeed. */
export class Unavailable extends DomainError {
  readonly code = 'UNAVAILABLE';
}

/**
 * A subscriber fell so far behind that its queue overflowed: it missed events and its
 * subscription ended. It should resubscribe (with `includeInitial` to get the current state).
 */
export class SubscriberTooSlow extends DomainError {
  readonly code = 'SUBSCRIBER_TOO_SLOW';
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** What a client is told about a failure on every transport: a code and a message it may show. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/**
 * The code and message a client sees for `error`: a domain error's own; anything else is
 * INTERNAL_SERVER_ERROR with `unexpected` as its message (the caller logs the original).
 * @default unexpected UNEXPECTED_MESSAGE ("Unexpected error.")
 */
export function errorInfoOf(error: unknown, unexpected: string = UNEXPECTED_MESSAGE): ErrorInfo {
  return isDomainError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL_SERVER_ERROR', message: unexpected };
}
