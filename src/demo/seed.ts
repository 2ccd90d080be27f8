import type { DataLayer } from '../db/index.js';
import { Conflict } from '../errors/domain.js';
import { parseModels } from '../models/declared.js';
import type { TableModel } from '../models/model.js';

/** Tables the demo creates in the default database. */
export const DEMO_TABLES = ['boards', 'players'] as const;

/**
 * The demo's declared models (the same as examples/leaderboard/models.json, which a test keeps
 * equal): with the demo on and no MODELS_FILE, the typed API shows `player.board` as a Board and
 * `board.players` as its reverse list, not as inferred strings.
 */
export function demoModels(): TableModel[] {
  return parseModels(
    {
      tables: {
        boards: { fields: { name: { type: 'String', required: true }, season: { type: 'Int', required: true } } },
        players: {
          fields: {
            name: { type: 'String', required: true },
            score: { type: 'Int', required: true },
            country: { type: 'enum', values: ['AT', 'FI', 'GB', 'NL', 'US'] },
            board: { type: 'ID', required: true, pointer: 'boards', reverse: 'players' },
            joinedAt: 'DateTime',
          },
        },
      },
    },
    'the demo leaderboard models',
  );
}

const names = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Alan', 'Hedy'];
const countries = ['GB', 'US', 'FI', 'US', 'US', 'US', 'US', 'US', 'NL', 'US', 'GB', 'AT'];

/**
 * Seeds a small leaderboard (boards and players) so GraphiQL has something to explore. Leaves
 * tables that already exist alone, so it never overwrites data.
 * @returns whether anything was seeded
 */
export async function seedDemo(data: DataLayer, db: string): Promise<boolean> {
  const existing = new Set((await data.catalog.tableList(db)).map((table) => table.name));
  if (DEMO_TABLES.some((table) => existing.has(table))) return false;
  try {
    for (const table of DEMO_TABLES) await data.catalog.createTable(db, table);
  } catch (error) {
    if (error instanceof Conflict) return false; // another replica is seeding at the same moment
    throw error;
  }
  await data.documents.insert(db, 'boards', [
    { id: 'global', name: 'Global', season: 1 },
    { id: 'weekly', name: 'This week', season: 1 },
  ]);
  await data.documents.insert(
    db,
    'players',
    names.map((name, i) => ({
      id: `p${i + 1}`,
      name,
      country: countries[i],
      board: i % 3 === 2 ? 'weekly' : 'global',
      score: ((i + 3) * 37) % 100,
      joinedAt: new Date(Date.UTC(2026, 0, 1 + i * 9)).toISOString(),
    })),
  );
  return true;
}

/** Example operations preloaded in GraphiQL when the demo is seeded. */
export const demoOperations = `# rethinkql demo: a small leaderboard lives in the "boards" and "players" tables.
# Run an operation with the play button; pick one from its dropdown.

query TopTen {
  query(table: "players", orderBy: [{ field: "score", direction: DESC }], limit: 10)
}

query GlobalBoardAbove50 {
  query(table: "players", where: { board: "global", score: { gt: 50 } }, orderBy: [{ field: "name" }])
  count(table: "players", where: { board: "global" })
}

query OnePlayerAndBoards {
  document(table: "players", id: "p1")
  documents(table: "boards", ids: ["global", "weekly"])
}

# The typed API: every table also has its own types and fields (see the README).
query TypedTopFive {
  players(where: { score: { gt: 10 } }, orderBy: [{ field: score, direction: DESC }], limit: 5) {
    id
    name
    score
    country
  }
  playersCount
}

mutation AddPoints {
  update(table: "players", id: "p1", patch: { score: 99 })
}

mutation NewPlayer {
  insert(table: "players", documents: [{ name: "You", score: 42, board: "global" }]) {
    generatedKeys
    documents
  }
}
`;
