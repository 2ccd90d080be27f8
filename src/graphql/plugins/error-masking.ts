import { clientGraphQLError, locationOf, maskedGraphQLError, originalOf } from '../../errors/graphql.js';
import type { Logger } from '../../observability/logger.js';

/**
 * Yoga's `maskError`: what clients see of a GraphQL operation's errors (src/errors/graphql.ts
 * shapes them: domain errors with `extensions.code` and details, GraphQL's own as BAD_USER_INPUT);
 * anything else is logged in full here and masked as INTERNAL_SERVER_ERROR.
 */
export function createErrorMasker(log: Logger) {
  return (error: unknown, message: string): Error => {
    const shown = clientGraphQLError(error);
    if (shown) return shown;
    log.error({ err: originalOf(error), path: locationOf(error).path }, 'unexpected error in a GraphQL operation');
    return maskedGraphQLError(error, message);
  };
}
