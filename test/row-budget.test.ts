import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readModelsFile } from '../src/models/declared.js';
import { packet } from './support/rdm.js';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

const modelsFile = 'examples/leaderboard/models.json';

describe('what MAX_ROWS counts, from the schema', () => {
  let gw: TestGateway;
  // maxLimit 1000, defaultLimit 100: the defaults. `pad` fills the budget, so every operation is
  // refused and its refusal says how many rows the rest asked for.
  const MAX = 2000;
  const pad = `pad: query(table: "players", limit: ${MAX})`;
  beforeAll(async () => {
    gw = await startTestGateway({ maxRows: MAX, rdmMaxRows: 3005, demo: true, modelsFile, models: readModelsFile(modelsFile) });
  });
  afterAll(() => gw.close());
  const rowsOf = async (operation: string, variables?: Record<string, unknown>): Promise<number> => {
    const result = await gw.gql(operation, variables);
    expect(result.data ?? null).toBeNull();
    const rows = result.errors?.[0]?.extensions?.rows;
    expect(result.errors?.[0]?.extensions?.limit).toBe('MAX_ROWS');
    return (rows as number) - MAX;
  };

  it('sums generic limits (default when absent), ids and inserted documents over aliases, fragments and variables', async () => {
    const query = `query($l: Int, $ids: [ID!]!) {
        ${pad} a: query(table: "t", limit: 10) b: query(table: "t") c: query(table: "t", limit: $l)
        documents(table: "t", ids: $ids) document(table: "t", id: "1") databases
        ...F ...F
      }
      fragment F on Query { query(table: "t", limit: 7) }`;
    expect(await rowsOf(query, { l: 5, ids: ['1', '2'] })).toBe(10 + 100 + 5 + 2 + 1 + 7 + 7);
    const documents = Array.from({ length: MAX + 3 }, () => ({}));
    expect(await rowsOf('mutation($d: [JSONObject!]!) { insert(table: "t", documents: $d) { inserted } }', { d: documents })).toBe(3);
  });

  it('counts typed lists and connections, pointers per row and reverse lists by their limit per row', async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `n${i}: players(limit: 1000) { id }`).join(' ');
    const ten = await gw.gql(`{ ${aliases} }`);
    expect(ten.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_ROWS', rows: 10_000 });
    expect(ten.data ?? null).toBeNull();
    expect(await rowsOf(`{ ${pad} players { name board { name } } }`)).toBe(100 + 100 * 1);
    expect(await rowsOf(`{ ${pad} boards(limit: 2) { players { board { name } } } }`)).toBe(2 + 2 * (100 + 100 * 1));
    expect(await rowsOf(`{ ${pad} boards(limit: 2) { players(limit: 1000) { board { name } } } }`)).toBe(2 + 2 * (1000 + 1000 * 1));
    expect(await rowsOf(`{ ${pad} board(id: "global") { players(limit: 7) { id } } }`)).toBe(1 + 7);
    expect(await rowsOf(`{ ${pad} playersConnection(first: 20) { totalCount edges { node { board { name } } } } }`)).toBe(20 + 20 * 1);
    expect(await rowsOf(`{ ${pad} playersConnection(last: 3) { edges { cursor } } queryConnection(table: "t") { pageInfo { hasNextPage } } }`)).toBe(3 + 100);
    // A reverse list's limit brings a list of boards with their players within the budget.
    const bounded = await gw.gql('{ boards(limit: 10) { players(limit: 150) { id } } }');
    expect(bounded.errors).toBeUndefined();
    // Within the budget, a board with its players still runs.
    const within = await gw.gql('{ board(id: "global") { players { id } } }');
    expect(within.errors).toBeUndefined();
  });

  it('counts an rdm GET_ALL or FILTER as RDM_MAX_ROWS (at most MAX_ROWS), an rdm INSERT as its documents', async () => {
    const rdm = (operation: string, payload: Record<string, unknown>) => `${operation.toLowerCase()}${Math.random().toString(36).slice(2, 6)}: rdm(operation: ${operation}, packet: ${JSON.stringify(JSON.stringify(packet({ table: 'players', ...payload })))})`;
    const two = await gw.gql(`mutation { ${rdm('GET_ALL', {})} ${rdm('FILTER', { filter: '{}' })} }`);
    expect(two.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_ROWS', rows: 2 * MAX });
    expect(two.data ?? null).toBeNull();
    expect((await gw.gql(`mutation { ${rdm('GET_ALL', {})} }`)).errors).toBeUndefined();
    const insert = await gw.gql(`mutation { ${rdm('INSERT', { data: Array.from({ length: MAX + 1 }, () => ({})) })} }`);
    expect(insert.errors?.[0]?.extensions).toMatchObject({ rows: MAX + 1 });
  });
});

describe('MAX_ROWS on the gateway', () => {
  let gw: TestGateway;
  let table: string;
  const clients = new WsClients();
  beforeAll(async () => {
    gw = await startTestGateway({ maxRows: 50 });
    table = uniqueTable('rows');
    await gw.ok(`mutation { createTable(table: "${table}") { name } }`);
  });
  afterEach(() => clients.closeAll());
  afterAll(() => gw.close());

  it('refuses an operation whose aliased fields together ask for more rows, before it runs', async () => {
    const before = gw.app.data.pool.queryCount;
    const result = await gw.gql(`query($ids: [ID!]!) { a: query(table: "${table}", limit: 30) documents(table: "${table}", ids: $ids) }`, {
      ids: Array.from({ length: 21 }, (_, i) => String(i)),
    });
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining('51 rows'), extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_ROWS', rows: 51, max: 50 } });
    expect(result.data ?? null).toBeNull();
    expect(gw.app.data.pool.queryCount).toBe(before);
    const within = await gw.gql(`{ a: query(table: "${table}", limit: 30) b: query(table: "${table}", limit: 20) }`);
    expect(within.errors).toBeUndefined();
  });

  it('counts each operation of a document by its name, every time (a document without variables is counted once)', async () => {
    const document = `query Small { query(table: "${table}", limit: 50) } query Big { a: query(table: "${table}", limit: 30) b: query(table: "${table}", limit: 21) }`;
    for (let round = 0; round < 2; round++) {
      expect((await gw.gql(document, undefined, 'Small')).errors).toBeUndefined();
      expect((await gw.gql(document, undefined, 'Big')).errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', rows: 51 });
    }
  });

  it('refuses a subscription over the budget over graphql-ws too', async () => {
    const client = clients.open(gw.app.url);
    const sub = subscribeWs(client, `subscription { live(table: "${table}", orderBy: [{ field: "id" }], limit: 60) { documents } }`);
    await sub.ended;
    const errors = sub.results.flatMap((result) => result.errors ?? []);
    const failure = (sub.failure as { extensions?: Record<string, unknown> }[] | undefined) ?? [];
    expect([...errors, ...failure].map((error) => error.extensions?.limit)).toContain('MAX_ROWS');
    expect(gw.app.subscriptions.stats().subscribers).toBe(0);
  });
});
