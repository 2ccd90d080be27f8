import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, validate } from 'graphql';
import { demoModels, demoOperations, seedDemo } from '../src/demo/seed.js';
import { readModelsFile } from '../src/models/declared.js';
import { startTestGateway, testDb, type TestGateway } from './support/gateway.js';

describe('the demo leaderboard', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
  });
  afterAll(() => gw?.close());

  it('is seeded at start, and GraphiQL opens with example operations that run', async () => {
    const data = await gw.ok<{ count: number; top: { name: string; score: number }[]; boards: unknown[] }>(
      '{ count(table: "players") top: query(table: "players", orderBy: [{ field: "score", direction: DESC }], limit: 3) boards: query(table: "boards") }',
    );
    expect(data.count).toBe(12);
    expect(data.boards).toHaveLength(2);
    expect(data.top.map((p) => p.score)).toEqual([...data.top.map((p) => p.score)].sort((a, b) => b - a));
    const page = await (await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('query TopTen');
  });

  it('has GraphiQL operations valid against the schema it serves', () => {
    expect(validate(gw.app.schema.current, parse(demoOperations))).toEqual([]);
  });

  it('serves the typed API with the demo\'s declared models (the same as examples/leaderboard/models.json): relations both ways', async () => {
    expect(demoModels()).toEqual(readModelsFile('examples/leaderboard/models.json'));
    const data = await gw.ok<{ player: { name: string; board: { name: string } }; board: { players: { id: string }[] } }>(
      '{ player(id: "p1") { name board { name } } board(id: "global") { players { id } } }',
    );
    expect(data.player.board.name).toEqual(expect.any(String));
    expect(data.board.players.map((player) => player.id)).toContain('p1');
  });

  it('never seeds over existing tables', async () => {
    await gw.ok('mutation { update(table: "players", id: "p1", patch: { score: 1000 }) }');
    expect(await seedDemo(gw.app.data, testDb)).toBe(false);
    const data = await gw.ok<{ count: number; document: { score: number } }>('{ count(table: "players") document(table: "players", id: "p1") }');
    expect(data).toEqual({ count: 12, document: expect.objectContaining({ score: 1000 }) });
  });
});
