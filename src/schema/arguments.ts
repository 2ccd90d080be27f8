import type { Builder } from './builder.js';

/** The `t.arg` helper of a query/mutation field builder. */
export type ArgBuilder = Parameters<Parameters<Builder['queryField']>[1]>[0]['arg'];

/** `db` (optional: the configured default) and `table`, which every document field takes. */
export function tableArgs(arg: ArgBuilder) {
  return {
    db: arg.string({ description: 'Database; defaults to the gateway\'s configured database.' }),
    table: arg.string({ required: true }),
  };
}

/** The atomic operators `update` takes beside `patch` (see src/db/update-operators.ts). */
export function updateOperatorArgs(arg: ArgBuilder) {
  return {
    inc: arg({ type: 'JSONObject', description: 'Adds numbers to numeric fields: `{ score: 1, "stats.wins": 1 }`. Absent or null counts as 0.' }),
    append: arg({ type: 'JSONObject', description: 'Adds one element at the end of list fields: `{ tags: "new" }`. Absent or null counts as [].' }),
    prepend: arg({ type: 'JSONObject', description: 'Adds one element at the start of list fields.' }),
    removeFromArray: arg({ type: 'JSONObject', description: 'Removes every element equal to the value from list fields: `{ tags: "old" }`.' }),
    unset: arg({ type: ['String'], description: 'Removes fields: `["nickname", "stats.streak"]`.' }),
    setIfMissing: arg({ type: 'JSONObject', description: 'Sets fields only where they are absent or null: `{ createdAt: "2026-01-01" }`.' }),
  };
}

/** Keyset paging (Relay's arguments): a count and a cursor from an earlier page's edges or pageInfo. */
export function keysetArgs(arg: ArgBuilder) {
  return {
    first: arg.int({ description: 'Forwards: at most this many rows (as limit).' }),
    after: arg.string({ description: 'Forwards: the rows after this cursor (same table and orderBy; not with offset).' }),
    last: arg.int({ description: 'Backwards: at most this many rows, the last ones (before the cursor if given).' }),
    before: arg.string({ description: 'Backwards: the rows before this cursor (same table and orderBy; not with offset).' }),
  };
}
