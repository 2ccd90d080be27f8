import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelsFile } from '../src/models/declared.js';
import { graphql } from './generated/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { typedGql, typedOk } from './support/typed.js';

// The README's declared leaderboard models (players: score Int!, name String!, board ID!).
const modelsFile = 'examples/leaderboard/models.json';
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ demo: true, modelsFile, models: readModelsFile(modelsFile) });
});
afterAll(() => gw?.close());

const AddToScore = graphql(`
  mutation AddToScore($id: ID!, $inc: JSONObject, $unset: [String!], $setIfMissing: JSONObject, $append: JSONObject) {
    updatePlayer(id: $id, inc: $inc, unset: $unset, setIfMissing: $setIfMissing, append: $append) {
      id
      score
      country
      board {
        name
      }
    }
  }
`);

const PlayerScore = graphql(`
  query PlayerScore($id: ID!) {
    player(id: $id) {
      score
      name
      country
    }
  }
`);

describe('atomic operators on typed updates', () => {
  it('inc on a declared Int: 50 concurrent increments of one player add exactly 50, results typed', async () => {
    const before = (await typedOk(gw, PlayerScore, { id: 'p2' })).player?.score ?? 0;
    const results = await Promise.all(Array.from({ length: 50 }, () => typedGql(gw, AddToScore, { id: 'p2', inc: { score: 1 } })));
    expect(results.filter((result) => result.errors)).toEqual([]);
    expect((await typedOk(gw, PlayerScore, { id: 'p2' })).player?.score).toBe(before + 50);
    expect(results[0]?.data?.updatePlayer?.board?.name).toEqual(expect.any(String));
  });

  it.each([
    ['inc on a declared String', { inc: { name: 1 } }, 'inc cannot write field "name": it is declared String, not a number'],
    ['a fractional inc of a declared Int', { inc: { score: 0.5 } }, 'it is declared Int, so it takes whole numbers'],
    ['unset of a required field', { unset: ['board'] }, 'unset cannot write field "board": it is required'],
    ['setIfMissing with a value outside the enum', { setIfMissing: { country: 'XX' } }, 'field "country" must be one of'],
    ['append to a declared scalar', { append: { score: 1 } }, 'it is declared Int, not a list'],
  ])('%s is BAD_USER_INPUT naming the field, and writes nothing', async (_label, operators, message) => {
    const before = await typedOk(gw, PlayerScore, { id: 'p3' });
    const result = await typedGql(gw, AddToScore, { id: 'p3', inc: { score: 1 }, ...operators });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await typedOk(gw, PlayerScore, { id: 'p3' })).toEqual(before);
  });
});
