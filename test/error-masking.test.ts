import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorMasker } from '../src/graphql/plugins/error-masking.js';
import { NotFound } from '../src/errors/domain.js';
import type { Logger } from '../src/observability/logger.js';

function recordingLogger() {
  const logged: unknown[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      logged.push([level, ...args]);
  // Only the levels the masker uses (a whole pino Logger is not needed).
  const log = { error: record('error'), warn: record('warn'), info: record('info') } as unknown as Logger;
  return { log, logged };
}

describe('error masking (unit)', () => {
  it('gives domain errors their code and details, logging them once at info without the document', () => {
    const { log, logged } = recordingLogger();
    const wrapped = new GraphQLError('x', { originalError: new NotFound('table "t" does not exist in database "d"', { table: 't' }), path: ['document'] });
    const masked = createErrorMasker(log)(wrapped, 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('table "t" does not exist in database "d"');
    expect(masked.extensions).toEqual({ table: 't', code: 'NOT_FOUND' });
    expect(masked.path).toEqual(['document']);
    expect(logged).toEqual([['info', { code: 'NOT_FOUND', message: 'table "t" does not exist in database "d"', path: ['document'] }, 'client error in a GraphQL operation']]);
  });

  it('hides unexpected errors from clients and logs them in full', () => {
    const { log, logged } = recordingLogger();
    const secret = new Error('connection string rethinkdb://admin:hunter2@db');
    const masked = createErrorMasker(log)(new GraphQLError(secret.message, { originalError: secret }), 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
  });
});
