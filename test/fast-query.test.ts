import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.js';
import { defaultConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';

// The HTTP fast path (src/fast-query.ts) must be invisible: every request gets, byte for byte,
// the answer yoga gives with the fast path off. Two gateways, each on its own embedded database
// with the same demo data, answer the same requests side by side.
let fast: App;
let plain: App;
beforeAll(async () => {
  const config = defaultConfig({ port: 0, demo: true, wsPort: null, resumeGraceSeconds: 0, schemaRefreshMs: 0 });
  [fast, plain] = await Promise.all([startApp(config, createLogger('silent')), startApp(config, createLogger('silent'), { fastPath: false })]);
});
afterAll(async () => {
  await Promise.all([fast?.close(), plain?.close()]);
});

async function answer(app: App, body: string, headers: Record<string, string>) {
  const response = await fetch(`http://127.0.0.1:${app.port}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

const json = { 'content-type': 'application/json' };
const cases: [string, string, Record<string, string>][] = [
  ['a query', JSON.stringify({ query: '{ document(table: "players", id: "p1") count(table: "boards") }' }), json],
  ['a query with variables and an operation name', JSON.stringify({ query: 'query A($id: ID!) { document(table: "players", id: $id) } query B { databases }', variables: { id: 'p2' }, operationName: 'A' }), json],
  ['partial data with an error', JSON.stringify({ query: '{ databases document(table: "no_such_table", id: "x") }' }), json],
  ['graphql-response+json', JSON.stringify({ query: '{ count(table: "players") }' }), { ...json, accept: 'application/graphql-response+json' }],
  ['graphql-response+json with a request error', JSON.stringify({ query: 'query($id: ID!) { document(table: "players", id: $id) }' }), { ...json, accept: 'application/graphql-response+json' }],
  ['missing variables', JSON.stringify({ query: 'query($id: ID!) { document(table: "players", id: $id) }' }), json],
  ['a validation error', JSON.stringify({ query: '{ nope }' }), json],
  ['a syntax error', JSON.stringify({ query: '{ broken' }), json],
  ['an unknown operation name', JSON.stringify({ query: '{ databases }', operationName: 'Other' }), json],
  ['a query that is not a string', JSON.stringify({ query: 1 }), json],
  ['variables that are not an object', JSON.stringify({ query: '{ databases }', variables: [1] }), json],
  ['malformed JSON', '{"query": ', json],
  ['a mutation', JSON.stringify({ query: 'mutation { update(table: "players", id: "p3", patch: { nickname: "x" }) }' }), json],
  ['an atomic increment', JSON.stringify({ query: 'mutation Inc($id: ID!) { update(table: "players", id: $id, inc: { score: 1 }) }', variables: { id: 'p4' } }), json],
  ['a mutation whose non-null root field fails (data null)', JSON.stringify({ query: 'mutation { update(table: "players", id: "nobody", patch: { x: 1 }) }' }), json],
  ['the same as graphql-response+json', JSON.stringify({ query: 'mutation { update(table: "players", id: "nobody", patch: { x: 1 }) }' }), { ...json, accept: 'application/graphql-response+json' }],
  ['a mutation with missing variables', JSON.stringify({ query: 'mutation($id: ID!) { delete(table: "players", id: $id) }' }), { ...json, accept: 'application/graphql-response+json' }],
  ['a query whose non-null root field fails (data null)', JSON.stringify({ query: '{ count(table: "no_such_table") }' }), { ...json, accept: 'application/graphql-response+json' }],
  ['another media type', JSON.stringify({ query: '{ databases }' }), { ...json, accept: 'text/plain' }],
];

describe('the HTTP fast path', () => {
  it.each(cases)('answers %s exactly as yoga does', async (_label, body, headers) => {
    const [viaFast, viaYoga] = await Promise.all([answer(fast, body, headers), answer(plain, body, headers)]);
    expect(viaFast).toEqual(viaYoga);
  });

  it('still answers CORS requests with CORS headers (they go to yoga)', async () => {
    const response = await fetch(`http://127.0.0.1:${fast.port}/graphql`, {
      method: 'POST',
      headers: { ...json, origin: 'https://app.example' },
      body: JSON.stringify({ query: '{ databases }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await response.json()).toEqual({ data: { databases: expect.arrayContaining(['test']) } });
  });
});
