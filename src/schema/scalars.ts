import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';
import { codedGraphQLError } from '../errors/graphql.js';
import type { Builder } from './builder.js';

/** ISO-8601 date-time text: a date, `T`, a time with optional fraction, and `Z` or an offset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Whether `value` is ISO-8601 date-time text that names a real instant (what DateTime accepts and what inference calls a DateTime). */
export function isIsoDateTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

function parseDateTime(value: unknown): string {
  if (isIsoDateTime(value)) return value;
  throw codedGraphQLError('BAD_USER_INPUT', `DateTime must be ISO-8601 text like "2026-01-01T12:00:00Z" (got ${JSON.stringify(value)?.slice(0, 80)})`);
}

/**
 * DateTime: documents keep ISO-8601 text as written (the gateway stores plain JSON), so input is
 * validated and passed through unchanged rather than turned into a Date (which the driver would
 * store as a RethinkDB TIME). RethinkDB TIME values read from a real server arrive as Date and
 * are printed as ISO-8601.
 */
const DateTimeScalar = new GraphQLScalarType<string | Date, string>({
  name: 'DateTime',
  description: 'An instant as ISO-8601 text, e.g. "2026-01-01T12:00:00Z" (a RethinkDB TIME is printed this way too).',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return value;
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)?.slice(0, 80)}`);
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw codedGraphQLError('BAD_USER_INPUT', 'DateTime must be a string literal', {}, { nodes: ast });
    return parseDateTime(ast.value);
  },
});

/** The custom scalars: JSON, JSONObject (graphql-scalars) and DateTime. */
export function registerScalars(builder: Builder): void {
  builder.addScalarType('JSON', JSONResolver);
  builder.addScalarType('JSONObject', JSONObjectResolver);
  builder.addScalarType('DateTime', DateTimeScalar);
}
