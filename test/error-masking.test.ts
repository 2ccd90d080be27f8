import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorMasker } from '../src/graphql/plugins/error-masking.js';
import { NotFound } from '../src/errors/domain.js';
import type { Logger } from '../src/observability/logger.js';

function recordingLogger() {
  const logged: unknown[] = [];
  const log = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  return { log, logged };
}

describe('error masking (unit)', () => {
  it('gives domain errors their code and details, without logging them', () => {
    const { log, logged } = recordingLogger();
    const wrapped = new GraphQLError('x', { originalError: new NotFound('table "t" does not exist in database "d"', { table: 't' }), path: ['document'] });
    const masked = createErrorMasker(log)(wrapped, 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('table "t" does not exist in database "d"');
    expect(masked.extensions).toEqual({ table: 't', code: 'NOT_FOUND' });
    expect(masked.path).toEqual(['document']);
    expect(logged).toHaveLength(0);
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
