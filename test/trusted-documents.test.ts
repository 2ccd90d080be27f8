import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BoardWithPlayers, documentIdOf, LiveTopThree, operationOf, request, SetScore, TopPlayers } from '../examples/leaderboard/client.js';
import { parseManifest, readManifests } from '../src/graphql/trusted-manifest.js';
import { startApp, type App } from '../src/app.js';
import { defaultConfig } from '../src/config/config.js';
import { readModelsFile } from '../src/models/declared.js';
import { createLogger } from '../src/observability/logger.js';
import { bearer, post, securityFrom } from './support/auth.js';
import { startTestGateway, testDb, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { WsClients } from './support/subscriptions.js';

// The leaderboard front end's own manifest, as `npm run codegen` writes it.
const MANIFEST = 'examples/leaderboard/generated/persisted-documents.json';
const modelsFile = 'examples/leaderboard/models.json';
const WEB_KEY = 'web-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;
const ARBITRARY = '{ players(limit: 1) { name } }';

/** POSTs a raw body (a `documentId`, say) with a credential: status and parsed body. */
async function postBody(gw: TestGateway, body: Record<string, unknown>, key?: string, accept = 'application/graphql-response+json') {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
    method: 'POST',
    headers: { ...(key === undefined ? {} : bearer(key)), 'content-type': 'application/json', accept },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

/**
 * The first `next` event of a GraphQL-over-SSE request (POST with `body`, or GET with `search`
 * parameters as an EventSource sends them), or the JSON error answer when there is no stream.
 */
async function firstSseResult(gw: TestGateway, key: string, request: { body: Record<string, unknown> } | { search: Record<string, string> }): Promise<GraphQLResponse> {
  const abort = new AbortController();
  const url = new URL(`http://127.0.0.1:${gw.app.port}/graphql`);
  const headers: Record<string, string> = { ...bearer(key), accept: 'text/event-stream' };
  let init: RequestInit = { headers, signal: abort.signal };
  if ('body' in request) init = { ...init, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(request.body) };
  else for (const [name, value] of Object.entries(request.search)) url.searchParams.set(name, value);
  const response = await fetch(url, init);
  const text = response.body ? '' : await response.text();
  if (!response.body) return JSON.parse(text) as GraphQLResponse;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let received = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before a next event: ${received}`);
      received += decoder.decode(value, { stream: true });
      const data = /event: next\ndata: (.*)\n/.exec(received)?.[1];
      if (data !== undefined) return JSON.parse(data) as GraphQLResponse;
      const error = /^data: (.*)$/m.exec(received)?.[1];
      if (error !== undefined && !received.includes('event:')) return JSON.parse(error) as GraphQLResponse;
    }
  } finally {
    abort.abort();
  }
}

/** The value of one sample of the gateway's /metrics (0 when absent). */
async function sample(gw: TestGateway, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.app.port}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`) || (labels === '' && row.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('trusted documents (TRUSTED_DOCUMENTS with the leaderboard client)', () => {
  let gw: TestGateway;
  const clients = new WsClients();

  beforeAll(async () => {
    const permissions = JSON.stringify({ web: { [`${testDb}.*`]: { read: true, update: true, subscribe: true } } });
    gw = await startTestGateway({
      demo: true,
      modelsFile,
      models: readModelsFile(modelsFile),
      trustedDocuments: MANIFEST,
      trustedDocumentsBypassRoles: ['admin'],
      security: securityFrom({ AUTH_MODE: 'api-key', API_KEYS: `${WEB_KEY}:web,${ADMIN_KEY}:admin`, PERMISSIONS: permissions }),
    });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => gw.close());

  it('runs the front end by document ids over HTTP (the fast path) and graphql-ws: queries, a mutation and a live subscription', async () => {
    // The example client authenticates nothing: its requests go through a fetch that adds the web key.
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL | Request, init: RequestInit = {}) => realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(WEB_KEY) } }));
    try {
      const { players } = await request(gw.app.url, TopPlayers, { limit: 3 }, 'id');
      expect(players).toHaveLength(3);
      const { board } = await request(gw.app.url, BoardWithPlayers, { id: 'global' }, 'id');
      expect(board?.players.length).toBeGreaterThan(0);
      const top = clients.open(gw.app.url, { connectionParams: { apiKey: WEB_KEY } });
      const results: ResultOf<typeof LiveTopThree>[] = [];
      const stop = top.subscribe<ResultOf<typeof LiveTopThree>>(operationOf(LiveTopThree, 'id'), {
        next: (result) => result.data && results.push(result.data),
        error: () => undefined,
        complete: () => undefined,
      });
      await vi.waitFor(() => expect(results).toHaveLength(1), { timeout: 10_000 });
      const best = players[0] as (typeof players)[number];
      await request(gw.app.url, SetScore, { id: best.id, score: best.score + 1_000_000 }, 'id');
      await vi.waitFor(() => expect(results.at(-1)?.playersLive.documents[0]).toEqual({ name: best.name, score: best.score + 1_000_000 }), { timeout: 10_000 });
      stop();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('runs a document id over SSE, POST and GET (the EventSource way, `?documentId=`)', async () => {
    const id = documentIdOf(LiveTopThree);
    for (const request of [{ body: { documentId: id } }, { search: { documentId: id } }]) {
      const result = await firstSseResult(gw, WEB_KEY, request);
      expect(result.errors).toBeUndefined();
      expect((result.data as ResultOf<typeof LiveTopThree>).playersLive.documents).toHaveLength(3);
    }
  });

  it('accepts the id with or without its sha256: prefix, and as Apollo\'s extensions.persistedQuery', async () => {
    const hex = documentIdOf(TopPlayers).replace(/^sha256:/, '');
    for (const body of [{ documentId: hex }, { extensions: { persistedQuery: { version: 1, sha256Hash: hex } } }]) {
      const answer = await postBody(gw, { ...body, variables: { limit: 1 } }, WEB_KEY);
      expect(answer.body.errors).toBeUndefined();
      expect((answer.body.data as { players: unknown[] }).players).toHaveLength(1);
    }
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_FOUND (400) on every transport, and counts it', async () => {
    const before = { http: await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="unknown_id",transport="http"'), ws: await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="unknown_id",transport="graphql-ws"') };
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const answer = await postBody(gw, { documentId: UNKNOWN_ID }, WEB_KEY, accept);
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
      expect(answer.body.errors?.[0]?.message).toContain(UNKNOWN_ID);
    }
    expect((await firstSseResult(gw, WEB_KEY, { search: { documentId: UNKNOWN_ID } })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const client = clients.open(gw.app.url, { connectionParams: { apiKey: WEB_KEY } });
    const refused = await new Promise<unknown>((resolve) => client.subscribe({ query: '', documentId: UNKNOWN_ID } as { query: string }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) }));
    expect((refused as { extensions?: unknown }[])[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="unknown_id",transport="http"')).toBe(before.http + 3);
    expect(await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="unknown_id",transport="graphql-ws"')).toBe(before.ws + 1);
  });

  it('refuses a document of its own from the web role with PERSISTED_QUERY_ONLY (403), yet runs it for a bypass role', async () => {
    const before = await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="document_not_allowed",transport="http"');
    const refused = await post(gw, ARBITRARY, undefined, bearer(WEB_KEY));
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_ONLY' });
    expect(refused.body.data).toBeUndefined();
    // A document along with an id: the id's document runs, never the text sent.
    const both = await postBody(gw, { documentId: documentIdOf(TopPlayers), query: ARBITRARY, variables: { limit: 2 } }, WEB_KEY);
    expect((both.body.data as { players: { score: number }[] }).players[0]).toHaveProperty('score');
    expect(await sample(gw, 'rethinkql_trusted_document_refusals_total', 'reason="document_not_allowed",transport="http"')).toBe(before + 1);

    const client = clients.open(gw.app.url, { connectionParams: { apiKey: WEB_KEY } });
    const wsRefusal = await new Promise<unknown>((resolve) => client.subscribe({ query: ARBITRARY }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) }));
    expect((wsRefusal as { extensions?: unknown }[])[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_ONLY' });

    const admin = await post(gw, ARBITRARY, undefined, bearer(ADMIN_KEY));
    expect(admin.body).toEqual({ data: { players: [expect.objectContaining({ name: expect.any(String) })] } });
    const adminWs = clients.open(gw.app.url, { connectionParams: { apiKey: ADMIN_KEY } });
    const adminResult = await new Promise<unknown>((resolve, reject) => adminWs.subscribe({ query: ARBITRARY }, { next: resolve, error: reject, complete: () => undefined }));
    expect(adminResult).toEqual({ data: { players: [expect.objectContaining({ name: expect.any(String) })] } });
  });

  it('reports the documents loaded in /metrics', async () => {
    expect(await sample(gw, 'rethinkql_trusted_documents', '')).toBe(4);
  });
});

describe('trusted documents reloaded from a directory', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    writeFileSync(join(dir, 'first.json'), JSON.stringify({ 'sha256:aaaa': '{ databases }' }));
    gw = await startTestGateway({ trustedDocuments: dir });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks up a manifest added to the directory, and keeps the documents in force when a change is invalid', async () => {
    expect((await postBody(gw, { documentId: 'aaaa' })).body.data).toEqual({ databases: expect.any(Array) });
    const top = documentIdOf(TopPlayers);
    expect((await postBody(gw, { documentId: top, variables: { limit: 1 } })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    copyFileSync(MANIFEST, join(dir, 'leaderboard.json'));
    // The generic API has no `players` field: the id is found, and validation answers.
    await vi.waitFor(async () => expect((await postBody(gw, { documentId: top, variables: { limit: 1 } })).body.errors?.[0]?.extensions?.code).not.toBe('PERSISTED_QUERY_NOT_FOUND'), { timeout: 10_000 });
    writeFileSync(join(dir, 'broken.json'), '{ "sha256:bbbb": "query {" }');
    await vi.waitFor(async () => expect(await sample(gw, 'rethinkql_trusted_document_reloads_total', 'outcome="error"')).toBeGreaterThan(0), { timeout: 10_000 });
    expect((await postBody(gw, { documentId: 'sha256:aaaa' })).body.data).toEqual({ databases: expect.any(Array) });
  });
});

describe('trusted-documents manifests', () => {
  it('reads the client preset\'s manifest and Apollo\'s, under ids with or without sha256:', () => {
    expect(parseManifest({ 'sha256:ab': '{ databases }' }, 'm.json')).toEqual([['ab', '{ databases }']]);
    const apollo = { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'cd', name: 'D', type: 'query', body: '{ tables { name } }' }] };
    expect(parseManifest(apollo, 'a.json')).toEqual([['cd', '{ tables { name } }']]);
  });

  it('refuses what it cannot use, naming the file and the id', () => {
    expect(() => parseManifest([], 'm.json')).toThrow('m.json: a trusted-documents manifest is a JSON object');
    expect(() => parseManifest({ ab: 42 }, 'm.json')).toThrow('m.json: document "ab" must be');
    expect(() => parseManifest({ ab: 'query {' }, 'm.json')).toThrow('m.json: document "ab" does not parse');
    expect(() => parseManifest({ format: 'apollo-persisted-query-manifest', operations: [{ body: '{ a }' }] }, 'a.json')).toThrow('a.json: operations[0] needs');
  });

  it('refuses two manifests giving one id different documents, and a path that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify({ 'sha256:ab': '{ databases }' }));
      writeFileSync(join(dir, 'b.json'), JSON.stringify({ ab: '{ tables { name } }' }));
      writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
      expect(() => readManifests(dir)).toThrow(`${join(dir, 'b.json')}: document "ab" differs from the one in ${join(dir, 'a.json')}`);
      rmSync(join(dir, 'b.json'));
      expect([...readManifests(dir)]).toEqual([['ab', '{ databases }']]);
      expect(() => readManifests(join(dir, 'missing.json'))).toThrow('missing.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the gateway\'s start when the manifests cannot be read', async () => {
    await expect(startTestGateway({ trustedDocuments: '/nonexistent/trusted.json' })).rejects.toThrow('/nonexistent/trusted.json');
  });
});

// The fast path (src/http/fast-query.ts) bypasses yoga's onParams: with trusted documents on, it
// must answer every request byte for byte as yoga does with the fast path off.
describe('trusted documents on the fast path', () => {
  let dir: string;
  let fast: App;
  let plain: App;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    const manifest = { 'sha256:q1': '{ databases }', 'sha256:q2': 'query Q($db: String) { tables(db: $db) { name } }', 'sha256:q3': '{ nope }', 'sha256:s1': 'subscription { changes(table: "t") { type } }' };
    writeFileSync(join(dir, 'm.json'), JSON.stringify(manifest));
    const config = defaultConfig({ port: 0, wsPort: null, resumeGraceSeconds: 0, schemaRefreshMs: 0, trustedDocuments: join(dir, 'm.json') });
    [fast, plain] = await Promise.all([startApp(config, createLogger('silent')), startApp(config, createLogger('silent'), { fastPath: false })]);
  });
  afterAll(async () => {
    await Promise.all([fast?.close(), plain?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a known id', { documentId: 'sha256:q1' }, '{"data":{"databases":['],
    ['a known id with variables', { documentId: 'q2', variables: { db: 'test' }, operationName: 'Q' }, '{"data":{"tables":['],
    ['an id whose document does not validate', { documentId: 'q3' }, 'Cannot query field \\"nope\\"'],
    ['an id of a subscription', { documentId: 's1' }, ''],
    ['an unknown id', { documentId: 'sha256:zz' }, 'PERSISTED_QUERY_NOT_FOUND'],
    ['a document of its own', { query: '{ databases }' }, 'PERSISTED_QUERY_ONLY'],
    ['neither', { variables: {} }, 'PERSISTED_QUERY_ONLY'],
  ])('answers %s as yoga does', async (_name, body, expected) => {
    const answers = await Promise.all(
      [fast, plain].map(async (app) => {
        const response = await fetch(`http://127.0.0.1:${app.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
      }),
    );
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.body).toContain(expected);
  });
});
