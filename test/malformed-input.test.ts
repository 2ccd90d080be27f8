import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDb, startTestGateway, type TestGateway } from './support/gateway.js';

// Issue 21, item 12: malformed input is a client error (a 400 or BAD_USER_INPUT), never an
// INTERNAL_SERVER_ERROR, and /metrics counts it under the code the client saw.
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

type Answer = { errors?: { message: string; extensions?: { code?: string } }[] };

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${gw.app.port}/metrics`)).text();
}

/** The value of one sample line of /metrics; 0 when absent. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('a GET whose JSON parameters are not JSON', () => {
  it.each(['variables', 'extensions'])('answers invalid %s with 400 BAD_REQUEST naming the parameter', async (parameter) => {
    const url = new URL(gw.app.url.replace('localhost', '127.0.0.1'));
    url.searchParams.set('query', '{ databases }');
    url.searchParams.set(parameter, '{');
    const before = await scrape();
    const response = await fetch(url);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Answer;
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(body.errors?.[0]?.message).toBe(`GET parameter "${parameter}" is not valid JSON.`);
    const internal = 'rethinkql_graphql_errors_total{code="INTERNAL_SERVER_ERROR"}';
    expect(sample(await scrape(), internal)).toBe(sample(before, internal));
  });

  it('still answers a GET with valid JSON parameters', async () => {
    const url = new URL(gw.app.url.replace('localhost', '127.0.0.1'));
    url.searchParams.set('query', 'query Q($skip: Boolean!) { n: __typename @skip(if: $skip) }');
    url.searchParams.set('variables', '{"skip": false}');
    url.searchParams.set('extensions', '{}');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { n: 'Query' } });
  });
});

describe('/metrics', () => {
  it('counts a variable error under BAD_USER_INPUT, the code the client sees, not INTERNAL_SERVER_ERROR', async () => {
    const before = await scrape();
    const answer = (await gw.gql('query V($id: ID!) { document(table: "t", id: $id) }', { id: { a: 1 } })) as Answer;
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await scrape();
    const internal = 'rethinkql_graphql_errors_total{code="INTERNAL_SERVER_ERROR"}';
    const badInput = 'rethinkql_graphql_errors_total{code="BAD_USER_INPUT"}';
    expect(sample(after, internal)).toBe(sample(before, internal));
    expect(sample(after, badInput) - sample(before, badInput)).toBe(1);
  });
});

describe('names that are Object.prototype keys', () => {
  it('are ordinary names: a missing database is NOT_FOUND, and "constructor" can be created as database, table and document id', async () => {
    for (const db of ['__proto__', 'constructor', 'toString']) {
      const answer = (await gw.gql(`{ tables(db: "${db}") { name } }`)) as Answer;
      expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(answer.errors?.[0]?.message).toBe(`database "${db}" does not exist`);
    }
    // On a real server a name of this file's own (other files share the server); the embedded one is ours.
    const db = scratchDb('constructor');
    expect(await gw.ok(`mutation { createDatabase(db: "${db}") }`)).toEqual({ createDatabase: db });
    for (const table of ['constructor', '__proto__']) {
      expect(await gw.ok(`mutation { createTable(db: "${db}", table: "${table}") { name } }`)).toEqual({ createTable: { name: table } });
    }
    await gw.ok(`mutation { insert(db: "${db}", table: "constructor", documents: [{ id: "constructor", n: 1 }]) { inserted } }`);
    expect(await gw.ok(`{ document(db: "${db}", table: "constructor", id: "constructor") }`)).toEqual({ document: { id: 'constructor', n: 1 } });
    expect(await gw.ok(`{ document(db: "${db}", table: "constructor", id: "toString") }`)).toEqual({ document: null });
  });
});
