import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelsFile } from '../src/models/declared.js';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { startTestGateway, testDb, type GraphQLResponse, type TestGateway } from './support/gateway.js';

// The typed connection (`playersConnection`) and reverse lists' `limit`, over the demo
// leaderboard, as an admin, a role that may not see scores, and a role limited to one board.
const modelsFile = 'examples/leaderboard/models.json';
const rules = {
  viewer: { [`${testDb}.players`]: { read: true, hiddenFields: ['score'] }, [`${testDb}.boards`]: { read: true } },
  weekly: { [`${testDb}.players`]: { read: true, rows: { board: { eq: 'weekly' } } }, [`${testDb}.boards`]: { read: true } },
};
type Edge = { cursor: string; node: { id: string; name: string; score?: number } };
type Connection = { edges: Edge[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null }; totalCount?: number };

let gw: TestGateway;
const headers: Record<string, Record<string, string>> = {};
const as = async <T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
  (await post<T>(gw, query, variables, headers[who] as Record<string, string>)).body;
const ok = async <T>(who: string, query: string, variables?: Record<string, unknown>): Promise<T> => {
  const result = await as<T>(who, query, variables);
  if (result.errors || !result.data) throw new Error(JSON.stringify(result.errors));
  return result.data;
};

beforeAll(async () => {
  gw = await startTestGateway({
    demo: true,
    modelsFile,
    models: readModelsFile(modelsFile),
    security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules) }),
  });
  for (const role of ['admin', 'viewer', 'weekly']) headers[role] = bearer(await token({ role, sub: role }));
});
afterAll(() => gw?.close());

const PAGE = `query($after: String, $o: [PlayerOrderBy!]) {
  playersConnection(orderBy: $o, first: 4, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
}`;

describe('playersConnection', () => {
  it('pages the typed list by cursor, node typed, totalCount only queried when selected', async () => {
    const o = [{ field: 'score', direction: 'DESC' }];
    const { players } = await ok<{ players: { id: string }[] }>('admin', 'query($o: [PlayerOrderBy!]) { players(orderBy: $o, limit: 8) { id } }', { o });
    const first = (await ok<{ playersConnection: Connection }>('admin', PAGE, { o })).playersConnection;
    const second = (await ok<{ playersConnection: Connection }>('admin', PAGE, { o, after: first.pageInfo.endCursor })).playersConnection;
    expect([...first.edges, ...second.edges].map((edge) => edge.node.id)).toEqual(players.map((player) => player.id));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]?.cursor });
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    // The typed list takes the same cursors.
    const typedList = await ok<{ players: { id: string }[] }>('admin', 'query($o: [PlayerOrderBy!], $a: String) { players(orderBy: $o, first: 4, after: $a) { id } }', { o, a: first.pageInfo.endCursor });
    expect(typedList.players.map((player) => player.id)).toEqual(second.edges.map((edge) => edge.node.id));

    const sent = async (query: string) => {
      const before = gw.app.data.pool.queryCount;
      const data = await ok<{ playersConnection: Connection; playersCount: number }>('admin', query);
      return { sent: gw.app.data.pool.queryCount - before, data };
    };
    const without = await sent('{ playersConnection(first: 2) { edges { cursor } } }');
    const counted = await sent('{ playersConnection(first: 2) { edges { cursor } totalCount } playersCount }');
    expect(counted.sent - without.sent).toBe(2);
    expect(counted.data.playersConnection.totalCount).toBe(counted.data.playersCount);
  });

  it('keeps hidden fields out of orders and cursors, and row rules in pages and counts', async () => {
    const bySecret = await as('viewer', '{ playersConnection(orderBy: [{ field: score }], first: 2) { edges { cursor } } }');
    expect(bySecret.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byName = (await ok<{ playersConnection: Connection }>('viewer', PAGE, { o: [{ field: 'name' }] })).playersConnection;
    for (const { cursor } of byName.edges) {
      const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k: unknown[] };
      expect(body.k).toHaveLength(2); // the name and the primary key: nothing else
    }
    const weekly = await ok<{ playersConnection: { totalCount: number; edges: { node: { board: { id: string } } }[] } }>(
      'weekly',
      '{ playersConnection(first: 100) { totalCount edges { node { id board { id } } } } }',
    );
    expect(weekly.playersConnection.edges.every((edge) => edge.node.board.id === 'weekly')).toBe(true);
    expect(weekly.playersConnection.totalCount).toBe(weekly.playersConnection.edges.length);
    const all = await ok<{ playersCount: number }>('admin', '{ playersCount }');
    expect(weekly.playersConnection.totalCount).toBeLessThan(all.playersCount);
  });
});

describe('reverse lists', () => {
  it('take a limit (the first by primary key), refused over the maximum', async () => {
    const { board } = await ok<{ board: { players: { id: string }[] } }>('admin', '{ board(id: "global") { players { id } } }');
    const limited = await ok<{ board: { players: { id: string }[] } }>('admin', '{ board(id: "global") { players(limit: 2) { id } } }');
    expect(limited.board.players).toEqual(board.players.slice(0, 2));
    const over = await as('admin', '{ board(id: "global") { players(limit: 1001) { id } } }');
    expect(over.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(over.errors?.[0]?.message).toMatch(/limit of players must be an integer from 0 to/);
  });
});
