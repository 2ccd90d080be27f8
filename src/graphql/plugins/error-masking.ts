import type { GraphQLError } from 'graphql';
import { clientGraphQLError, codeOf, locationOf, maskedGraphQLError, originalOf } from '../../errors/graphql.js';
import type { Logger } from '../../observability/logger.js';

/** Codes that refuse a client (logged at warn: worth watching); every other client error is logged at info. */
const REFUSALS = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'LIMIT_EXCEEDED', 'RATE_LIMITED']);
/** Messages can quote what the client sent (a field name, a value): only their start is logged. */
const MAX_LOGGED_MESSAGE = 200;

/** `message`, cut to MAX_LOGGED_MESSAGE characters. */
function shortened(message: string): string {
  return message.length > MAX_LOGGED_MESSAGE ? `${message.slice(0, MAX_LOGGED_MESSAGE)}…` : message;
}

/**
 * Yoga's `maskError`: what clients see of a GraphQL operation's errors (src/errors/graphql.ts
 * shapes them: domain errors with `extensions.code` and details, GraphQL's own as BAD_USER_INPUT);
 * anything else is masked as INTERNAL_SERVER_ERROR. Each error is logged once (yoga masks some
 * twice): a fault of the gateway or the database in full at error level; a client's mistake at
 * info (a refusal at warn) with its code and the start of its message, never the document.
 */
export function createErrorMasker(log: Logger) {
  const logged = new WeakSet<object>();
  const answered = new WeakSet<GraphQLError>();
  return (error: unknown, message: string): Error => {
    // What this masker returned, handed back by another of yoga's paths: already shaped and logged.
    if (error instanceof Error && answered.has(error as GraphQLError)) return error;
    const first = typeof error === 'object' && error !== null && !logged.has(error);
    if (first) logged.add(error);
    const shown = clientGraphQLError(error);
    if (shown) {
      answered.add(shown);
      const code = codeOf(shown, 'BAD_USER_INPUT');
      const fields = { code, message: shortened(shown.message), path: shown.path };
      if (first) log[REFUSALS.has(code) ? 'warn' : 'info'](fields, 'client error in a GraphQL operation');
      return shown;
    }
    if (first) log.error({ err: originalOf(error), path: locationOf(error).path }, 'unexpected error in a GraphQL operation');
    const masked = maskedGraphQLError(error, message);
    answered.add(masked);
    return masked;
  };
}
