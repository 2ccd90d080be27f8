import { parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rowsAskedFor } from '../src/graphql/plugins/row-budget.js';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

describe('rowsAskedFor', () => {
  it('sums limits (default when absent), ids and inserted documents over aliases, fragments and variables', () => {
    const document = parse(`
      query Q($l: Int, $ids: [ID!]!) {
        a: query(table: "t", limit: 10) b: query(table: "t") c: query(table: "t", limit: $l)
        documents(table: "t", ids: $ids) document(table: "t", id: "1") databases
        ...F ...F
      }
      fragment F on Query { query(table: "t", limit: 7) }
      mutation M { insert(table: "t", documents: [{}, {}, {}]) { inserted } }`);
    expect(rowsAskedFor(document, 'Q', { l: 5, ids: ['1', '2'] }, 100)).toBe(10 + 100 + 5 + 2 + 1 + 7 + 7);
    expect(rowsAskedFor(document, 'M', {}, 100)).toBe(3);
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
