import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, securityFrom } from './support/auth.js';
import { otherTestFilesDatabase, startTestGateway, testDb, uniqueTable, type TestGateway } from './support/gateway.js';

// A bounded fuzz run (fixed seed, so a failure replays): random and malformed GraphQL documents,
// variables, RDM packets and credentials, sent over real HTTP as a role that may only read. Every
// answer must be a result or a clear error (a message and a code, never INTERNAL_SERVER_ERROR),
// the server must stay up, and the database must be exactly as before.

const READER = 'fuzz-reader-0123456789abcdef';
const ADMIN = 'fuzz-admin-0123456789abcdef';
const RUNS = 60;
const SEED = 20261123;

let gw: TestGateway;
let table: string;
const seed = [
  { id: 'a', n: 1, tags: ['x'], nested: { s: 'one' } },
  { id: 'b', n: 2, tags: [], nested: { s: 'two' } },
];

async function send(path: string, body: string, headers: Record<string, string> = bearer(READER)): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown };
}

/** A GraphQL answer is data, or errors that each carry a message and a code other than INTERNAL_SERVER_ERROR. */
function expectClearGraphQL({ status, body }: { status: number; body: unknown }): void {
  expect(status).toBeLessThan(500);
  const { data, errors } = body as { data?: unknown; errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
  if (errors === undefined) {
    expect(data).toBeDefined();
    return;
  }
  for (const error of errors) {
    expect(typeof error.message).toBe('string');
    expect(typeof error.extensions?.code).toBe('string');
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

/** The user data: databases (but the RDM audit trail, which records accepted reads too, and on a real server other test files'), tables, the seeded rows. */
async function snapshot(): Promise<unknown> {
  const response = await send('/graphql', JSON.stringify({ query: `{ databases tables { name } query(table: "${table}", orderBy: [{ field: "id" }]) }` }), bearer(ADMIN));
  const { data } = response.body as { data: { databases: string[] } };
  return { ...data, databases: data.databases.filter((db) => db !== gw.dbs.audit && !otherTestFilesDatabase(db)) };
}

const validOperations = [
  `{ query(table: "TABLE", where: { n: { gt: 1 } }, limit: 5) count(table: "TABLE") }`,
  `{ document(table: "TABLE", id: "a") documents(table: "TABLE", ids: ["a", "b"]) }`,
  `mutation { insert(table: "TABLE", documents: [{ id: "z" }]) { inserted } }`,
  `mutation { update(table: "TABLE", id: "a", patch: { n: 5 }) }`,
  `mutation { deleteMany(table: "TABLE", all: true) { deleted } }`,
  `mutation { dropTable(table: "TABLE") { name } }`,
  `mutation($p: JSON!) { rdm(operation: DELETE_ALL, packet: $p) }`,
];
const tokens = ['{', '}', '(', ')', '[', ']', ':', '$', '!', '@', '"', '...', 'fragment', 'on', '#', '\\', '\u0000', '__schema', 'query', '1e999', '-', ','];

/** A valid operation with one random edit: a token inserted, or a slice cut out. */
const mutatedDocument = fc
  .tuple(fc.constantFrom(...validOperations), fc.nat(), fc.nat({ max: 20 }), fc.constantFrom(...tokens), fc.boolean())
  .map(([operation, at, cut, token, insert]) => {
    const text = operation.replaceAll('TABLE', table);
    const i = at % (text.length + 1);
    return insert ? text.slice(0, i) + token + text.slice(i) : text.slice(0, i) + text.slice(i + cut);
  });

describe('fuzz', () => {
  beforeAll(async () => {
    gw = await startTestGateway({
      security: securityFrom({ AUTH_MODE: 'api-key', API_KEYS: `${READER}:reader,${ADMIN}:admin`, PERMISSIONS: JSON.stringify({ reader: { [`${testDb}.*`]: { read: true, subscribe: true } } }) }),
    });
    table = uniqueTable('fuzz');
    await send('/graphql', JSON.stringify({ query: `mutation($t: String!, $d: [JSONObject!]!) { createTable(table: $t) { name } insert(table: $t, documents: $d) { inserted } }`, variables: { t: table, d: seed } }), bearer(ADMIN));
  });
  afterAll(() => gw.close());

  it('answers random and malformed GraphQL documents with a result or a clear error', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedDocument, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), async (query) => {
        expectClearGraphQL(await send('/graphql', JSON.stringify({ query })));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers random variables and request bodies with a result or a clear error', async () => {
    const before = await snapshot();
    const query = `query($t: String!, $w: JSONObject, $l: Int, $o: [OrderByInput!], $ids: [ID!]!) {
      query(table: $t, where: $w, limit: $l, orderBy: $o) documents(table: $t, ids: $ids) }`;
    const variables = fc.record({
      t: fc.oneof(fc.constant(table), fc.string({ maxLength: 70 }), fc.jsonValue()),
      w: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.constantFrom('n', 'and', 'or', 'not', 'nested.s', 'tags'), fc.jsonValue({ maxDepth: 3 }))),
      l: fc.oneof(fc.integer(), fc.jsonValue()),
      o: fc.oneof(fc.jsonValue(), fc.array(fc.record({ field: fc.string({ maxLength: 10 }), direction: fc.constantFrom('ASC', 'DESC', 'UP') }))),
      ids: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }), fc.jsonValue()),
    }, { requiredKeys: [] });
    const bodies = fc.oneof(
      variables.map((vars) => JSON.stringify({ query, variables: vars })),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => expectClearGraphQL(await send('/graphql', body))),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("answers the attack review's inputs (prototype names, catastrophic patterns, malformed GET parameters) with a clear error", async () => {
    const before = await snapshot();
    const prototypeName = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
    const nested = fc.stringMatching(/^[a()|+*?]{1,12}$/);
    const pattern = fc.oneof(nested.map((inner) => `^(${inner}+)+$`), nested, fc.string({ maxLength: 40 }));
    const graphql = fc.oneof(
      prototypeName.map((name) => ({ query: `{ tables(db: "${name}") { name } count(db: "${name}", table: "${name}") }` })),
      prototypeName.map((name) => ({ query: `{ query(table: "${name}") document(table: "${table}", id: "${name}") }` })),
      fc.tuple(prototypeName, pattern).map(([field, regex]) => ({ query: 'query($t: String!, $w: JSONObject) { query(table: $t, where: $w) }', variables: { t: table, w: { [field]: { match: regex } } } })),
      pattern.map((regex) => ({ query: 'query($t: String!, $w: JSONObject) { query(table: $t, where: $w) }', variables: { t: table, w: { 'nested.s': { match: regex } } } })),
    );
    await fc.assert(
      fc.asyncProperty(graphql, async (body) => expectClearGraphQL(await send('/graphql', JSON.stringify(body)))),
      { numRuns: RUNS, seed: SEED },
    );
    const parameter = fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value).slice(0, -1)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('variables', 'extensions'), parameter, async (name, value) => {
        const url = `http://127.0.0.1:${gw.app.port}/graphql?query=${encodeURIComponent('{ databases }')}&${name}=${encodeURIComponent(value)}`;
        const response = await fetch(url, { headers: { accept: 'application/graphql-response+json', ...bearer(READER) } });
        expectClearGraphQL({ status: response.status, body: JSON.parse(await response.text()) as unknown });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers random and malformed RDM packets with an RDM reply carrying a clear error', async () => {
    const before = await snapshot();
    const operations = ['/insert', '/get', '/get_all', '/filter', '/update', '/delete', '/delete_all', '/create_table', '/nope'];
    const payload = fc.record(
      {
        database: fc.oneof(fc.constant('test'), fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
        table: fc.oneof(fc.constant(table), fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
        data: fc.jsonValue({ maxDepth: 3 }),
        identifier: fc.oneof(fc.constantFrom('a', 'b'), fc.jsonValue({ maxDepth: 1 })),
        filter: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }), fc.constant("{'n': 1}")),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      payload.map((p) => JSON.stringify({ id: 1, type: 'rethink-manager-call', payload: p, time: 't' })),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), body, async (operation, packet) => {
        // RDM's protocol answers every failure with status 500 and an error reply; the code says why.
        const { status, body: reply } = await send(`/rdm${operation}`, packet);
        const { status_code: code, error } = reply as { status_code: number; error?: { code: string; message: string } };
        expect(code).toBe(status);
        if (code !== 200) {
          expect(code).toBe(500);
          expect(typeof error?.message).toBe('string');
          expect(error?.code).toMatch(/^[A-Z_]+$/);
          expect(error?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers random credentials with 401, and stays up', async () => {
    const credential = fc.string({ minLength: 1, maxLength: 60 }).filter((text) => /^[\x21-\x7e]+$/.test(text));
    await fc.assert(
      fc.asyncProperty(credential, fc.constantFrom('authorization', 'x-api-key'), async (text, header) => {
        const value = header === 'authorization' ? `Bearer ${text}` : text;
        const { status, body } = await send('/graphql', JSON.stringify({ query: '{ databases }' }), { [header]: value });
        expect(status).toBe(401);
        expectClearGraphQL({ status, body });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const health = await fetch(`http://127.0.0.1:${gw.app.port}/health`);
    expect(health.status).toBe(200);
    expect(gw.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 });
  });
});
