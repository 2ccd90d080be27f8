import type { Document } from '../db/index.js';

/** One step from an old window to a new one; see LiveChangeType for how steps apply. */
export interface WindowDelta {
  readonly type: 'ADD' | 'REMOVE' | 'MOVE' | 'CHANGE';
  readonly doc: Document;
  /** Index after the step; null for REMOVE. */
  readonly index: number | null;
  /** Index before the step (REMOVE, MOVE, CHANGE); null for ADD. */
  readonly oldIndex: number | null;
}

/**
 * The steps that turn `before` into `after` (rows identified by `keyOf`), each index relative to
 * the array the previous steps left, like Firestore's docChanges. Few steps: rows that keep
 * their relative order (a longest increasing subsequence) never move, so one row rising or
 * falling through a leaderboard is ONE move, not a shift of every row it passed.
 */
export function diffWindow(
  before: readonly Document[],
  after: readonly Document[],
  keyOf: (doc: Document) => string,
  equal: (a: Document, b: Document) => boolean,
): WindowDelta[] {
  const deltas: WindowDelta[] = [];
  const target = new Map(after.map((doc, i) => [keyOf(doc), i]));
  const work: Document[] = [];
  for (const doc of before) {
    // Rows before this one that stay are exactly `work`: its index once earlier removals are done.
    if (target.has(keyOf(doc))) work.push(doc);
    else deltas.push({ type: 'REMOVE', doc, index: null, oldIndex: work.length });
  }
  const stable = stableKeys(work.map(keyOf), target);
  const pushedBack = new Set<string>();
  const indexIn = (key: string) => work.findIndex((doc) => keyOf(doc) === key);
  let i = 0;
  while (i < after.length) {
    const next = after[i] as Document;
    const key = keyOf(next);
    const current = work[i];
    if (current && keyOf(current) === key) {
      if (!equal(current, next)) deltas.push({ type: 'CHANGE', doc: next, index: i, oldIndex: i });
      work[i] = next;
      i += 1;
      continue;
    }
    // A row that must go later: put it right behind the row it will follow, once.
    if (current && !stable.has(keyOf(current)) && !pushedBack.has(keyOf(current))) {
      const goal = target.get(keyOf(current)) as number;
      const behind = indexIn(keyOf(after[goal - 1] as Document));
      if (behind > i) {
        pushedBack.add(keyOf(current));
        const moved = after[goal] as Document;
        work.splice(i, 1);
        work.splice(behind, 0, moved);
        deltas.push({ type: 'MOVE', doc: moved, index: behind, oldIndex: i });
        continue;
      }
    }
    const from = indexIn(key);
    if (from > i) {
      work.splice(from, 1);
      deltas.push({ type: 'MOVE', doc: next, index: i, oldIndex: from });
    } else {
      deltas.push({ type: 'ADD', doc: next, index: i, oldIndex: null });
    }
    work.splice(i, 0, next);
    i += 1;
  }
  return deltas;
}

/** Keys of a longest run of rows whose order is unchanged (patience sorting over their new indexes). */
function stableKeys(keys: readonly string[], target: ReadonlyMap<string, number>): Set<string> {
  const tails: number[] = [];
  const previous: number[] = [];
  keys.forEach((key, i) => {
    const value = target.get(key) as number;
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((target.get(keys[tails[middle] as number] as string) as number) < value) low = middle + 1;
      else high = middle;
    }
    previous[i] = low > 0 ? (tails[low - 1] as number) : -1;
    tails[low] = i;
  });
  const stable = new Set<string>();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = previous[i] as number) stable.add(keys[i] as string);
  return stable;
}
