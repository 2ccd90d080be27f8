import { describe, expect, it } from 'vitest';
import { readModelsFile } from '../src/models/declared.js';
import { graphql } from './generated/index.js';
import { subscriptionSuite } from './support/subscriptions.js';
import { typedGql, typedOk, typedWs } from './support/typed.js';

// playersAggregate / playersLiveAggregate on the demo leaderboard's declared models: typed keys
// and numbers, computed only for what the operation selects, equal to the generic aggregate.
const modelsFile = 'examples/leaderboard/models.json';
const suite = subscriptionSuite({ demo: true, modelsFile, models: readModelsFile(modelsFile) });

const PlayersPerBoard = graphql(`
  query PlayersPerBoard {
    playersAggregate(groupBy: [board]) {
      groups {
        key {
          board
        }
        count
        ...Scores
      }
    }
    aggregate(table: "players", groupBy: ["board"], fields: { sum: ["score"], avg: ["score"], min: ["score"], max: ["score"] }) {
      groups {
        key
        count
        sum
        avg
        min
        max
      }
    }
  }
  fragment Scores on PlayerAggregateGroup {
    sum {
      score
    }
    avg {
      score
    }
    min {
      score
    }
    max {
      score
    }
  }
`);

const CountryCounts = graphql(`
  query CountryCounts($where: PlayerWhere, $limit: Int) {
    playersAggregate(where: $where, groupBy: [country], limit: $limit) {
      groups {
        key {
          country
          board
        }
        count
      }
    }
  }
`);

const LiveBoardAverage = graphql(`
  subscription LiveBoardAverage {
    playersLiveAggregate(where: { board: { eq: "global" } }) {
      groups {
        count
        avg {
          score
        }
      }
    }
  }
`);

const SetScore = graphql(`
  mutation SetScore($id: ID!, $score: Int!) {
    updatePlayer(id: $id, patch: { score: $score }) {
      id
    }
  }
`);

describe('typed aggregates', () => {
  it('groups players by board with typed keys and numbers, equal to the generic aggregate', async () => {
    const data = await typedOk(suite.gw, PlayersPerBoard);
    expect(data.playersAggregate.groups.length).toBeGreaterThan(0);
    expect(data.playersAggregate.groups.map((group) => ({ ...group, key: { board: group.key.board } }))).toEqual(data.aggregate.groups);
  });

  it('groups by an enum (absent: null) and refuses more groups than limit', async () => {
    const data = await typedOk(suite.gw, CountryCounts, {});
    const total = data.playersAggregate.groups.reduce((sum, group) => sum + group.count, 0);
    const generic = await suite.gw.ok<{ count: number }>(`{ count(table: "players") }`);
    expect(total).toBe(generic.count);
    expect(data.playersAggregate.groups.every((group) => group.key.board === null)).toBe(true);
    const refused = await typedGql(suite.gw, CountryCounts, { limit: 1 });
    expect(refused.errors?.[0]?.message).toContain('more than 1 groups');
  });

  it('keeps a live average score of one board', async () => {
    const players = await suite.gw.ok<{ query: { id: string; score: number }[] }>(`{ query(table: "players", where: { board: "global" }, limit: 1000) }`);
    const subscription = suite.track(typedWs(suite.clients.open(suite.gw.app.url), LiveBoardAverage));
    const average = (scores: number[]) => scores.reduce((a, b) => a + b, 0) / scores.length;
    const scores = players.query.map((player) => player.score);
    await subscription.until((data) => data.at(-1)?.playersLiveAggregate.groups[0]?.avg.score === average(scores), 'the average');
    const first = players.query[0] as { id: string; score: number };
    await typedOk(suite.gw, SetScore, { id: first.id, score: first.score + 1000 });
    scores[0] = first.score + 1000;
    await subscription.until((data) => data.at(-1)?.playersLiveAggregate.groups[0]?.avg.score === average(scores), 'the new average');
    expect(subscription.data.at(-1)?.playersLiveAggregate.groups[0]?.count).toBe(scores.length);
  });
});
