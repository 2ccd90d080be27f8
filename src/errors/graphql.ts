import { GraphQLError, type ASTNode } from 'graphql';
import type { ErrorCode } from './codes.js';
import { isDomainError, type DomainError } from './domain.js';

/** Where in the document and the result an error happened (kept when an error is re-shaped). */
export interface ErrorLocation {
  nodes?: readonly ASTNode[] | ASTNode | undefined;
  path?: readonly (string | number)[] | undefined;
}

/**
 * A GraphQL error with `extensions.code` first, then `extensions` (e.g. `{ limit: 'MAX_DEPTH' }`):
 * for refusals that are not domain errors (limits, a graphql-ws operation before authentication).
 */
export function codedGraphQLError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, location: ErrorLocation = {}): GraphQLError {
  return new GraphQLError(message, { ...location, extensions: { code, ...extensions } });
}

/** A domain error as GraphQL shows it: its message, `extensions` its details plus its code. */
export function graphqlErrorOf(error: DomainError, location: ErrorLocation = {}): GraphQLError {
  return new GraphQLError(error.message, { ...location, extensions: { ...error.details, code: error.code } });
}

/**
 * What clients see of an error thrown in a GraphQL operation, or undefined when it is unexpected
 * (the caller logs it and answers with `maskedGraphQLError`). Domain errors keep their message
 * and get `extensions.code` plus their details; GraphQL's own errors (syntax, validation,
 * variable coercion) pass through as BAD_USER_INPUT unless they carry a code.
 */
export function clientGraphQLError(error: unknown): GraphQLError | undefined {
  const graphqlError = error instanceof GraphQLError ? error : undefined;
  const original = originalOf(error);
  const location = locationOf(error);
  if (isDomainError(original)) return graphqlErrorOf(original, location);
  if (original instanceof GraphQLError) {
    // The outer message says where (e.g. `Variable "$p" got invalid value "x" at "p.score"; ...`).
    return new GraphQLError(graphqlError?.message ?? original.message, { ...location, extensions: { code: 'BAD_USER_INPUT', ...original.extensions } });
  }
  if (graphqlError && !graphqlError.originalError) return graphqlError;
  return undefined;
}

/** An unexpected error as clients see it: `message` (yoga's masked text) and INTERNAL_SERVER_ERROR, at the error's location. */
export function maskedGraphQLError(error: unknown, message: string): GraphQLError {
  return codedGraphQLError('INTERNAL_SERVER_ERROR', message, {}, locationOf(error));
}

/** What was thrown: a GraphQL error's original error, else the error itself. */
export function originalOf(error: unknown): unknown {
  return (error instanceof GraphQLError ? error.originalError : undefined) ?? error;
}

/** The location of `error` when it is a GraphQL error (else none). */
export function locationOf(error: unknown): ErrorLocation {
  return error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
}

/**
 * The code an error counts under in the metrics, the one clients see: its `extensions.code`, else
 * its domain code, else BAD_USER_INPUT for GraphQL's own errors wrapped by execution (variable
 * coercion, as clientGraphQLError shows them), else `fallback`.
 */
export function codeOf(error: unknown, fallback: string = 'INTERNAL_SERVER_ERROR'): string {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (typeof code === 'string') return code;
  const original = originalOf(error);
  if (isDomainError(original)) return original.code;
  if (original !== error && original instanceof GraphQLError) {
    const inner = original.extensions?.code;
    return typeof inner === 'string' ? inner : 'BAD_USER_INPUT';
  }
  return fallback;
}

/** A GraphQL error's JSON as yoga sends it to clients: without yoga's internal `http` / `unexpected` extensions. */
export function clientErrorJson(error: unknown): object {
  const json = error instanceof GraphQLError ? error.toJSON() : { message: String((error as { message?: unknown }).message) };
  if (!('extensions' in json) || !json.extensions) return json;
  const extensions = Object.fromEntries(Object.entries(json.extensions).filter(([key]) => key !== 'http' && key !== 'unexpected'));
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}
