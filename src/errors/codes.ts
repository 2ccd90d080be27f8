/**
 * Every `code` a client can see (GraphQL `extensions.code`, the RDM reply's `error.code`, the
 * body of an HTTP refusal, the metrics' `code` label) and the HTTP status it answers with where
 * an HTTP answer carries the code itself (gate refusals, `POST /events`, the RDM routes).
 * Yoga chooses the status of GraphQL responses; this table does not change that.
 */
export const HTTP_STATUS = {
  /** The input names something invalid: a bad name, operator, filter or value. */
  BAD_USER_INPUT: 400,
  /** No valid credential (answered with WWW-Authenticate: Bearer). */
  UNAUTHENTICATED: 401,
  /** The caller may not do this. */
  FORBIDDEN: 403,
  /** A database, table, index, document or route does not exist. */
  NOT_FOUND: 404,
  /** The route exists but not for this method (answered with Allow). */
  METHOD_NOT_ALLOWED: 405,
  /** The write collides with existing state. */
  CONFLICT: 409,
  /** Too many requests (answered with Retry-After). */
  RATE_LIMITED: 429,
  /** The database cannot be reached right now. */
  UNAVAILABLE: 503,
  /** A subscriber's queue overflowed (a subscription event, never an HTTP answer in practice). */
  SUBSCRIBER_TOO_SLOW: 500,
  /** An operation asks for more than a configured limit allows (`extensions.limit` names the setting). */
  LIMIT_EXCEEDED: 400,
  /** A document that does not parse (a metrics label: clients get yoga's GraphQL syntax error). */
  GRAPHQL_PARSE_FAILED: 400,
  /** A document that does not validate (a metrics label: clients get graphql-js's validation errors). */
  GRAPHQL_VALIDATION_FAILED: 400,
  /** Trusted documents are on and the `documentId` names no document the gateway knows. */
  PERSISTED_QUERY_NOT_FOUND: 400,
  /** Trusted documents are on and the caller's role may not send a document of its own (only a `documentId`). */
  PERSISTED_QUERY_ONLY: 403,
  /** Anything unexpected: logged in full, masked for clients. */
  INTERNAL_SERVER_ERROR: 500,
} as const;

/** A code clients can see; see HTTP_STATUS for each one's meaning. */
export type ErrorCode = keyof typeof HTTP_STATUS;

/** The message every unexpected error is masked with (its details go to the log only). */
export const UNEXPECTED_MESSAGE = 'Unexpected error.';
