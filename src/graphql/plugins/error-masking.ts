import { GraphQLError } from 'graphql';
import { isDomainError } from '../../errors/domain.js';
import type { Logger } from '../../observability/logger.js';

/**
 * The one place where errors become what clients see. Domain errors keep their message and get
 * `extensions.code` plus their details; GraphQL's own errors (syntax, validation, variable
 * coercion) pass through as BAD_USER_INPUT-style errors; anything else is logged in full and
 * masked as INTERNAL_SERVER_ERROR.
 */
export function createErrorMasker(log: Logger) {
  return (error: unknown, message: string): Error => {
    const graphqlError = error instanceof GraphQLError ? error : undefined;
    const original = graphqlError?.originalError ?? error;
    const location = { nodes: graphqlError?.nodes, path: graphqlError?.path };
    if (isDomainError(original)) {
      return new GraphQLError(original.message, { ...location, extensions: { ...original.details, code: original.code } });
    }
    if (original instanceof GraphQLError) {
      // The outer message says where (e.g. `Variable "$p" got invalid value "x" at "p.score"; ...`).
      return new GraphQLError(graphqlError?.message ?? original.message, {
        ...location,
        extensions: { code: 'BAD_USER_INPUT', ...original.extensions },
      });
    }
    if (graphqlError && !graphqlError.originalError) return graphqlError;
    log.error({ err: original, path: graphqlError?.path }, 'unexpected error in a GraphQL operation');
    return new GraphQLError(message, { ...location, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
