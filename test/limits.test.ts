import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config/config.js';
import { startTestGateway, uniqueTable, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

/** `{ ofType { name ofType { name ... } } }` nested `levels` deep under `__type`: deep and costly without touching the database. */
function nestedType(levels: number): string {
  let selection = '{ name }';
  for (let i = 0; i < levels; i++) selection = `{ name ofType ${selection} }`;
  return `__type(name: "String") ${selection}`;
}

async function post(gw: TestGateway, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
}

function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('operation limits (GraphQL Armor) with the default settings', () => {
  let gw: TestGateway;
  let table: string;
  const ws = new WsClients();
  beforeAll(async () => {
    gw = await startTestGateway();
    table = uniqueTable('lim');
    await gw.ok(`mutation { createTable(table: "${table}") { name } }`);
    await gw.ok(`mutation($d: [JSONObject!]!) { insert(table: "${table}", documents: $d) { inserted } }`, {
      d: Array.from({ length: 100 }, (_, i) => ({ id: `d${i}` })),
    });
  });
  afterEach(() => ws.closeAll());
  afterAll(() => gw?.close());

  /** Sends `fields` next to a field that reads the database, and expects the operation refused by `limit` with nothing run. */
  async function expectRefused(fields: string, limit: string): Promise<GraphQLResponse> {
    await gw.ok(`{ document(table: "${table}", id: "d0") }`); // the table's name is cached after this
    const before = gw.app.data.pool.queryCount;
    const response = await post(gw, `{ document(table: "${table}", id: "d1") ${fields} }`);
    const body = (await response.json()) as GraphQLResponse;
    expect(response.status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toContain(limit);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit });
    expect(gw.app.data.pool.queryCount - before).toBe(0);
    return body;
  }

  it('refuses an operation nested deeper than MAX_DEPTH (12)', async () => {
    const body = await expectRefused(nestedType(12), 'MAX_DEPTH');
    expect(body.errors?.[0]?.message).toMatch(/^Query depth limit of 12 exceeded, found 14 \(MAX_DEPTH\)$/);
  });

  it('answers a refusal with the status the GraphQL-over-HTTP spec gives each Accept (400 only for application/graphql-response+json)', async () => {
    const tooDeep = `{ ${nestedType(14)} }`;
    for (const [accept, status] of [
      ['application/graphql-response+json', 400],
      ['application/graphql-response+json, application/json;q=0.9', 400],
      ['application/json', 200],
      ['*/*', 200],
    ] as const) {
      const response = await post(gw, tooDeep, { accept });
      const body = (await response.json()) as GraphQLResponse;
      expect({ accept, status: response.status, code: body.errors?.[0]?.extensions?.code }).toEqual({ accept, status, code: 'LIMIT_EXCEEDED' });
      expect(response.headers.get('content-type')).toContain(status === 400 ? 'application/graphql-response+json' : 'application/json');
    }
  });

  it('refuses more than MAX_ALIASES (100) aliased fields', async () => {
    // (Armor does not count aliases of __typename.)
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: __type(name: "String") { name }`).join(' ');
    await expectRefused(aliases, 'MAX_ALIASES');
  });

  it('refuses a document of more than MAX_TOKENS (5000) tokens while parsing', async () => {
    await expectRefused('__typename '.repeat(5000), 'MAX_TOKENS');
  });

  it('refuses an operation costing more than MAX_COST (5000)', async () => {
    // Within the depth and alias limits, but each field costs about 600 (x 1.5 per level of nesting).
    const body = await expectRefused(Array.from({ length: 9 }, (_, i) => `t${i}: ${nestedType(10)}`).join(' '), 'MAX_COST');
    expect(body.errors?.[0]?.message).toMatch(/^Query Cost limit of 5000 exceeded, found \d+ \(MAX_COST\)$/);
  });

  it('refuses more than MAX_DIRECTIVES (50) directives', async () => {
    await expectRefused('__typename @include(if: true) '.repeat(51), 'MAX_DIRECTIVES');
  });

  it('lets a realistic batched read through: 100 aliased document fields in one database query', async () => {
    await gw.ok(`{ document(table: "${table}", id: "d0") }`);
    const before = gw.app.data.pool.queryCount;
    const data = await gw.ok(`{ ${Array.from({ length: 100 }, (_, i) => `f${i}: document(table: "${table}", id: "d${i}")`).join(' ')} }`);
    expect(gw.app.data.pool.queryCount - before).toBe(1);
    expect(data.f99).toEqual({ id: 'd99' });
  });

  it('refuses the same deep operation over graphql-ws, as an error message for that operation', async () => {
    const client = ws.open(gw.app.url);
    const before = gw.app.data.pool.queryCount;
    const operation = subscribeWs(client, `{ document(table: "${table}", id: "d1") ${nestedType(12)} }`);
    await operation.ended;
    expect(operation.results).toEqual([]);
    expect(operation.failure).toEqual([
      expect.objectContaining({ message: expect.stringContaining('MAX_DEPTH'), extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'MAX_DEPTH' }) }),
    ]);
    expect(gw.app.data.pool.queryCount - before).toBe(0);
    // The socket stays usable: the token limit (a parse error) is an error message too.
    const tokens = subscribeWs(client, `{ ${'__typename '.repeat(5001)} }`);
    await tokens.ended;
    expect(tokens.failure).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'MAX_TOKENS' }) })]);
    expect(client.closes).toEqual([]);
  });

  it('counts refused operations as LIMIT_EXCEEDED in the metrics', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${gw.app.port}/metrics`)).text();
    const name = 'rethinkql_graphql_errors_total{code="LIMIT_EXCEEDED"}';
    const before = sample(await scrape(), name);
    await post(gw, `{ ${nestedType(12)} }`);
    await post(gw, `{ ${'__typename '.repeat(5001)} }`);
    await post(gw, `{ ${'__typename '.repeat(5001)} }`); // the same document again counts again
    expect(sample(await scrape(), name) - before).toBe(3);
  });

  it('answers introspection and allows any origin outside production mode', async () => {
    const response = await post(gw, '{ __schema { queryType { name } } }', { origin: 'https://anywhere.example' });
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
  });
});

describe('production mode', () => {
  let gw: TestGateway;
  const ws = new WsClients();
  beforeAll(async () => {
    const config = loadConfig(['--production', '--cors-origins', 'https://app.example.com,https://admin.example.com'], {}) as Config;
    gw = await startTestGateway({ production: true, graphiql: config.graphiql, introspection: config.introspection, corsOrigins: config.corsOrigins });
  });
  afterEach(() => ws.closeAll());
  afterAll(() => gw?.close());

  it('refuses introspection over HTTP and graphql-ws, and hides "Did you mean" suggestions', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
      const body = (await (await post(gw, query)).json()) as GraphQLResponse;
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.message).toContain('introspection has been disabled');
    }
    const operation = subscribeWs(ws.open(gw.app.url), '{ __schema { queryType { name } } }');
    await operation.ended;
    expect(JSON.stringify(operation.failure)).toContain('introspection has been disabled');

    const typo = (await (await post(gw, '{ databasez }')).json()) as GraphQLResponse;
    expect(typo.errors?.[0]?.message).toContain('Cannot query field "databasez"');
    expect(typo.errors?.[0]?.message).not.toContain('databases');
  });

  it('still answers ordinary operations', async () => {
    expect(await gw.ok('{ __typename databases }')).toMatchObject({ __typename: 'Query' });
  });

  it('does not serve GraphiQL', async () => {
    const response = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, { headers: { accept: 'text/html' } });
    const text = await response.text();
    expect(text).not.toContain('<title>rethinkql</title>');
    expect(text.toLowerCase()).not.toContain('graphiql');
  });

  it('sends CORS headers to the listed origins only', async () => {
    const allowed = await post(gw, '{ __typename }', { origin: 'https://admin.example.com' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    const preflight = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    for (const method of ['POST', 'OPTIONS']) {
      const refused = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
        method,
        headers: { origin: 'https://evil.example', 'content-type': 'application/json', 'access-control-request-method': 'POST' },
        body: method === 'POST' ? JSON.stringify({ query: '{ __typename }' }) : undefined,
      });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
