import { describe, expect, it } from 'vitest';
import { GraphqlWsCloseCode, graphqlWsCloseOf, RdmCloseCode, rdmCloseOf } from '../src/errors/close-codes.js';
import { HTTP_STATUS, type ErrorCode } from '../src/errors/codes.js';
import { BadInput, Conflict, errorInfoOf, Forbidden, NotFound, RateLimited, SubscriberTooSlow, Unauthenticated, Unavailable } from '../src/errors/domain.js';
import { graphqlErrorOf } from '../src/errors/graphql.js';
import { httpRefusalOf } from '../src/errors/http.js';

// What clients rely on, code by code; the integration tests pin 401/429 with their headers,
// 4403/4429 and 1008 end to end, this pins the rest of the table.
describe('the error table', () => {
  it('gives every code its HTTP status', () => {
    expect(HTTP_STATUS).toEqual({
      BAD_USER_INPUT: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      CONFLICT: 409,
      RATE_LIMITED: 429,
      UNAVAILABLE: 503,
      SUBSCRIBER_TOO_SLOW: 500,
      LIMIT_EXCEEDED: 400,
      GRAPHQL_PARSE_FAILED: 400,
      GRAPHQL_VALIDATION_FAILED: 400,
      PERSISTED_QUERY_NOT_FOUND: 400,
      PERSISTED_QUERY_ONLY: 403,
      INTERNAL_SERVER_ERROR: 500,
    });
  });

  it.each([
    [new BadInput('b', { field: 'x' }), 400],
    [new NotFound('n'), 404],
    [new Conflict('c'), 409],
    [new Forbidden('f'), 403],
    [new Unavailable('u'), 503],
    [new SubscriberTooSlow('s'), 500],
  ])('refuses %s over HTTP with its status, its code and message, and no extra headers', (error, status) => {
    const refusal = httpRefusalOf(error);
    expect(refusal).toEqual({ status, headers: {}, info: { code: error.code, message: error.message }, extensions: { ...error.details, code: error.code } });
    // The RDM reply's `error` field is the same code and message.
    expect(errorInfoOf(error)).toEqual(refusal.info);
  });

  it('tells clients how to do better: WWW-Authenticate for 401, Retry-After for 429', () => {
    expect(httpRefusalOf(new Unauthenticated('no')).headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(httpRefusalOf(new RateLimited(7, 'key'))).toMatchObject({ status: 429, headers: { 'retry-after': '7' }, extensions: { code: 'RATE_LIMITED', retryAfter: 7 } });
  });

  it('masks anything that is not a domain error as a 500 INTERNAL_SERVER_ERROR, on HTTP and in RDM replies', () => {
    const secret = new Error('connection string with a password');
    expect(httpRefusalOf(secret)).toEqual({
      status: 500,
      headers: {},
      info: { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' },
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(errorInfoOf(secret)).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' });
  });

  it('shows a domain error to GraphQL with its details and code', () => {
    expect(graphqlErrorOf(new NotFound('gone', { table: 't' })).toJSON()).toEqual({ message: 'gone', extensions: { table: 't', code: 'NOT_FOUND' } });
  });

  it('closes websockets with a code per refusal: graphql-ws 4429 for rate limits, else 4403; RDM 1008 once the credential expired', () => {
    const codes = Object.keys(HTTP_STATUS) as ErrorCode[];
    expect(Object.fromEntries(codes.map((code) => [code, graphqlWsCloseOf(code)]))).toEqual(
      Object.fromEntries(codes.map((code) => [code, code === 'RATE_LIMITED' ? 4429 : 4403])),
    );
    expect(GraphqlWsCloseCode).toEqual({ Forbidden: 4403, TooManyRequests: 4429 });
    expect(codes.filter((code) => rdmCloseOf(code) !== undefined)).toEqual(['UNAUTHENTICATED']);
    expect(rdmCloseOf('UNAUTHENTICATED')).toBe(1008);
    expect([RdmCloseCode.Normal, RdmCloseCode.GoingAway, RdmCloseCode.PolicyViolation, RdmCloseCode.TooBig]).toEqual([1000, 1001, 1008, 1009]);
  });
});
