/**
 * Domain errors. Every layer throws these; they are mapped to GraphQL errors (with
 * `extensions.code`) in exactly one place, `src/schema/error-masking.ts`. Any other error is
 * unexpected: it is logged in full and masked for clients.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAVAILABLE' | 'SUBSCRIBER_TOO_SLOW';

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
