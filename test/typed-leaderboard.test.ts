import { describe, expect, it } from 'vitest';
import { BoardWithPlayers, request, TopPlayers } from '../examples/leaderboard/client.js';
import { readModelsFile } from '../src/models/declared.js';
import { graphql } from './generated/index.js';
import { subscriptionSuite } from './support/subscriptions.js';
import { typedGql, typedOk, typedSse, typedWs } from './support/typed.js';

// The demo leaderboard (boards, players) with the declared models of the README's worked
// example: the same file `npm run codegen` builds schema.graphql and these typed documents from.
const modelsFile = 'examples/leaderboard/models.json';
// Rosters lists every board (default limit 100) with its players, a reverse list that MAX_ROWS
// counts as MAX_LIMIT per board: 100 100 rows asked for, more than the default budget.
const suite = subscriptionSuite({ demo: true, modelsFile, models: readModelsFile(modelsFile), maxRows: 200_000 });

const TopScorers = graphql(`
  query TopScorers($min: Int!) {
    players(where: { score: { gt: $min } }, orderBy: [{ field: score, direction: DESC }]) {
      id
      name
      score
      board {
        id
        name
      }
    }
    playersCount(where: { score: { gt: $min } })
  }
`);

const FilteredPlayers = graphql(`
  query FilteredPlayers($before: DateTime!) {
    fromGbOrNl: players(where: { or: [{ country: { eq: GB } }, { country: { in: [NL] } }] }, orderBy: [{ field: name }]) {
      name
      country
    }
    early: players(where: { joinedAt: { lt: $before } }, orderBy: [{ field: joinedAt, direction: DESC }]) {
      name
      joinedAt
    }
    notGlobal: players(where: { not: { board: { eq: "global" } } }, orderBy: [{ field: score }], limit: 2, offset: 1) {
      name
    }
  }
`);

const BoardPlayers = graphql(`
  query BoardPlayers($id: ID!) {
    board(id: $id) {
      name
      season
      players {
        id
        name
        board {
          id
        }
      }
    }
    tables {
      name
      indexes
    }
  }
`);

const AddPlayer = graphql(`
  mutation AddPlayer($player: PlayerInput!) {
    insertPlayer(document: $player) {
      id
      name
      score
      board {
        name
      }
    }
  }
`);

const AddPlayers = graphql(`
  mutation AddPlayers($players: [PlayerInput!]!) {
    insertPlayers(documents: $players) {
      id
    }
  }
`);

const PatchPlayer = graphql(`
  mutation PatchPlayer($id: ID!, $patch: PlayerPatch!) {
    updatePlayer(id: $id, patch: $patch) {
      id
      name
      score
    }
  }
`);

const PlayerCount = graphql(`
  query PlayerCount($name: String!) {
    playersCount(where: { name: { eq: $name } })
    all: playersCount
  }
`);

const Rosters = graphql(`
  query Rosters($prefix: String!) {
    players(where: { name: { startsWith: $prefix } }, limit: 1000) {
      name
      board {
        name
      }
    }
    boards {
      id
      players {
        id
      }
    }
  }
`);

const LiveTop = graphql(`
  subscription LiveTop {
    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {
      documents {
        name
        score
        board {
          name
        }
      }
    }
  }
`);

const WeeklyChanges = graphql(`
  subscription WeeklyChanges {
    playerChanges(where: { board: { eq: "weekly" } }) {
      type
      id
      new {
        name
        score
      }
    }
  }
`);

describe('typed API over declared models (boards, players)', () => {
  it('filters and orders with typed where/orderBy, and resolves each player\'s board', async () => {
    const data = await typedOk(suite.gw, TopScorers, { min: 50 });
    expect(data.players.map((p) => [p.name, p.score, p.board?.name])).toEqual([
      ['Margaret', 96, 'This week'],
      ['Linus', 85, 'This week'],
      ['Alan', 81, 'Global'],
      ['Frances', 70, 'Global'],
      ['Ken', 59, 'Global'],
    ]);
    expect(data.playersCount).toBe(5);
  });

  it('supports enum, in, DateTime, not, limit and offset filters', async () => {
    const data = await typedOk(suite.gw, FilteredPlayers, { before: '2026-01-20T00:00:00.000Z' });
    expect(data.fromGbOrNl).toEqual([
      { name: 'Ada', country: 'GB' },
      { name: 'Alan', country: 'GB' },
      { name: 'Edsger', country: 'NL' },
    ]);
    expect(data.early.map((p) => p.name)).toEqual(['Linus', 'Grace', 'Ada']);
    // weekly players by score: Edsger 7, Hedy 18, Linus 85, Margaret 96; offset 1, limit 2.
    expect(data.notGlobal.map((p) => p.name)).toEqual(['Hedy', 'Linus']);
  });

  it('lists a board\'s players through the reverse relation, on a secondary index the gateway created', async () => {
    const data = await typedOk(suite.gw, BoardPlayers, { id: 'weekly' });
    expect(data.board?.name).toBe('This week');
    expect(data.board?.season).toBe(1);
    expect(data.board?.players.map((p) => [p.id, p.name, p.board?.id])).toEqual([
      ['p12', 'Hedy', 'weekly'],
      ['p3', 'Linus', 'weekly'],
      ['p6', 'Margaret', 'weekly'],
      ['p9', 'Edsger', 'weekly'],
    ]);
    expect(data.tables.find((t) => t.name === 'players')?.indexes).toContain('board');
  });

  it('serves the example client\'s typed operations', async () => {
    const { players } = await request(suite.gw.app.url, TopPlayers, { limit: 2 });
    expect(players).toEqual([
      { id: 'p6', name: 'Margaret', score: 96, country: 'US', board: { name: 'This week' } },
      { id: 'p3', name: 'Linus', score: 85, country: 'FI', board: { name: 'This week' } },
    ]);
    const { board } = await request(suite.gw.app.url, BoardWithPlayers, { id: 'global' });
    expect(board?.players).toHaveLength(8);
  });

  it('refuses a document missing a required field, naming it, and writes nothing', async () => {
    const result = await typedGql(suite.gw, AddPlayer, { player: { name: 'Nobody', board: 'global' } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/"score" is required/);
    expect((await typedOk(suite.gw, PlayerCount, { name: 'Nobody' })).playersCount).toBe(0);
  });

  it('refuses a batch with one bad document, naming it and the field, and writes none of it', async () => {
    const before = (await typedOk(suite.gw, PlayerCount, { name: 'Valid' })).all;
    const result = await typedGql(suite.gw, AddPlayers, {
      players: [
        { name: 'Valid', score: 1, board: 'global' },
        { name: 'Invalid', score: 2 },
      ],
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/players\[1\].*"board" is required/);
    const after = await typedOk(suite.gw, PlayerCount, { name: 'Valid' });
    expect(after).toEqual({ playersCount: 0, all: before });
  });

  it('refuses values of the wrong type (Int, enum, DateTime) with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'Wrong', score: 'high', board: 'global' }, /score/],
      [{ name: 'Wrong', score: 1, board: 'global', country: 'XX' }, /country/],
      [{ name: 'Wrong', score: 1, board: 'global', joinedAt: 'yesterday' }, /joinedAt/],
    ];
    for (const [player, field] of cases) {
      // Deliberately wrong values: the cast is what a client without types could send.
      const result = await typedGql(suite.gw, AddPlayer, { player: player as never });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(field);
    }
    expect((await typedOk(suite.gw, PlayerCount, { name: 'Wrong' })).playersCount).toBe(0);
  });

  it('lets a patch leave required fields out but not set them to null', async () => {
    const refused = await typedGql(suite.gw, PatchPlayer, { id: 'p2', patch: { name: null } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/"name" is required/);
    const patched = await typedOk(suite.gw, PatchPlayer, { id: 'p2', patch: { score: 49 } });
    expect(patched.updatePlayer).toEqual({ id: 'p2', name: 'Grace', score: 49 });
  });

  it('inserts a valid player and returns it with its board', async () => {
    const data = await typedOk(suite.gw, AddPlayer, { player: { name: 'Newcomer', score: 5, board: 'weekly', country: 'FI' } });
    expect(data.insertPlayer).toMatchObject({ name: 'Newcomer', score: 5, board: { name: 'This week' } });
    expect(data.insertPlayer.id).toEqual(expect.any(String));
  });

  it('loads the boards of 100 players, and the players of every board, in at most 2 database round trips each', async () => {
    const players = Array.from({ length: 100 }, (_, i) => ({ name: `Bulk ${String(i).padStart(3, '0')}`, score: i, board: i % 2 ? 'global' : 'weekly' }));
    await typedOk(suite.gw, AddPlayers, { players });
    await typedOk(suite.gw, Rosters, { prefix: 'Bulk' }); // table and index names are cached after this
    const before = suite.gw.app.data.pool.queryCount;
    const data = await typedOk(suite.gw, Rosters, { prefix: 'Bulk' });
    const sent = suite.gw.app.data.pool.queryCount - before;
    expect(data.players).toHaveLength(100);
    expect(data.players.every((p) => p.board?.name === (Number(p.name.slice(5)) % 2 ? 'Global' : 'This week'))).toBe(true);
    expect(data.boards.map((b) => b.players.length).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(112);
    // players list + one batched get of their boards; boards list + one batched getAll of their players.
    expect(sent).toBe(4);

    const onlyPlayers = suite.gw.app.data.pool.queryCount;
    await suite.gw.ok(`{ players(where: { name: { startsWith: "Bulk" } }, limit: 100) { board { name } } }`);
    expect(suite.gw.app.data.pool.queryCount - onlyPlayers).toBe(2);
  });

  it('streams a typed live top three over graphql-ws, with boards resolved', async () => {
    const live = suite.track(typedWs(suite.clients.open(suite.gw.app.url), LiveTop));
    await live.until((data) => data.length >= 1, 'the first result');
    expect(live.data[0]?.playersLive.documents.map((p) => p.name)).toEqual(['Bulk 099', 'Bulk 098', 'Bulk 097']);
    await typedOk(suite.gw, PatchPlayer, { id: 'p5', patch: { score: 500 } });
    await live.until((data) => data.at(-1)?.playersLive.documents[0]?.name === 'Ken', 'Ken on top');
    expect(live.data.at(-1)?.playersLive.documents[0]).toEqual({ name: 'Ken', score: 500, board: { name: 'Global' } });
    // A board renamed later shows in the next result: related documents are read per event.
    await suite.gw.ok(`mutation { update(table: "boards", id: "global", patch: { name: "World" }) }`);
    await typedOk(suite.gw, PatchPlayer, { id: 'p5', patch: { score: 501 } });
    await live.until((data) => data.at(-1)?.playersLive.documents[0]?.score === 501, 'the next result');
    expect(live.data.at(-1)?.playersLive.documents[0]).toEqual({ name: 'Ken', score: 501, board: { name: 'World' } });
    await suite.gw.ok(`mutation { update(table: "boards", id: "global", patch: { name: "Global" }) }`);
  });

  it('streams typed changes of the weekly board over SSE', async () => {
    const changes = suite.track(typedSse(suite.gw.app.url, WeeklyChanges));
    await changes.until((data) => data.some((d) => d.playerChanges.type === 'READY'), 'READY');
    await typedOk(suite.gw, PatchPlayer, { id: 'p1', patch: { score: 12 } }); // global: not seen
    await typedOk(suite.gw, PatchPlayer, { id: 'p3', patch: { score: 86 } });
    await changes.until((data) => data.some((d) => d.playerChanges.type === 'CHANGE'), 'the CHANGE');
    expect(changes.data.map((d) => d.playerChanges).filter((c) => c.type !== 'READY')).toEqual([
      { type: 'CHANGE', id: 'p3', new: { name: 'Linus', score: 86 } },
    ]);
  });
});
