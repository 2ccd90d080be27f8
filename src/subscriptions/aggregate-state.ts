import { emptyAccumulator, resultOf, type Accumulator, type AggregateResult, type AggregateSpec, type Document } from '../db/index.js';
import { sortValue } from '../filter/order.js';
import { parseFieldPath } from '../filter/path.js';
import { canonicalJson } from './arguments.js';

/** What one row adds to its group: its key values, and each numeric field's number or null. */
interface Contribution {
  readonly key: unknown[];
  readonly groupId: string;
  readonly numbers: (number | null)[];
}

/** An extreme that a leaving row held: the group's true extreme must be read again, unless a new row takes its place. */
interface LostExtreme {
  readonly groupId: string;
  readonly index: number;
  readonly side: 'lo' | 'hi';
  readonly value: number;
}

/** What applying one change did: nothing to this aggregate, a new exact state, or an extreme left (read the aggregate again). */
export type AggregateOutcome = 'unchanged' | 'changed' | 'reread';

/**
 * A grouped aggregate kept in the gateway, one Accumulator per group (the database's shape, see
 * src/db/aggregate-types.ts): a change subtracts its old row's contribution and adds its new
 * one, so count, sum and the count of numbers are exact per change. min / max only grow from a
 * change; when the row that held a group's extreme leaves (and no new row reaches it), the
 * true extreme is unknown and the caller re-reads the aggregate from the database.
 * Sums of non-integers may drift from a fresh query's by floating-point rounding.
 */
export class AggregateState {
  private readonly groups = new Map<string, Accumulator>();
  private readonly groupPaths: string[][];
  private readonly numericPaths: string[][];

  constructor(private readonly spec: AggregateSpec) {
    this.groupPaths = spec.groupBy.map(parseFieldPath);
    this.numericPaths = spec.numeric.map(parseFieldPath);
  }

  /** Groups right now. */
  get size(): number {
    return this.groups.size;
  }

  /** Starts over from accumulators read from the database. */
  reset(accumulators: readonly Accumulator[]): void {
    this.groups.clear();
    for (const acc of accumulators) this.groups.set(canonicalJson(acc.k), { ...acc, k: [...acc.k] });
  }

  /** The result as callers see it, ordered by key. */
  result(): AggregateResult {
    return resultOf(this.spec, this.groups.values());
  }

  /**
   * Whether a change from `before` to `after` (each undefined when the row is not in the
   * aggregate: absent, or outside the filter) can alter it.
   */
  touches(before: Document | undefined, after: Document | undefined): boolean {
    if (!before || !after) return before !== after;
    return canonicalJson(this.contribution(before)) !== canonicalJson(this.contribution(after));
  }

  /** Applies one row's change (see touches for the arguments). */
  apply(before: Document | undefined, after: Document | undefined): AggregateOutcome {
    if (!this.touches(before, after)) return 'unchanged';
    const lost = before ? this.remove(this.contribution(before)) : [];
    const added = after ? this.contribution(after) : undefined;
    if (added) this.add(added);
    const open = lost.filter((extreme) => {
      const acc = this.groups.get(extreme.groupId);
      if (!acc || (acc[`n${extreme.index}`] as number) === 0) return false;
      const now = added?.groupId === extreme.groupId ? added.numbers[extreme.index] : null;
      return now === null || now === undefined || (extreme.side === 'lo' ? now > extreme.value : now < extreme.value);
    });
    return open.length > 0 ? 'reread' : 'changed';
  }

  private contribution(doc: Document): Contribution {
    const key = this.groupPaths.map((path) => sortValue(doc, path));
    const numbers = this.numericPaths.map((path) => {
      const value = sortValue(doc, path);
      return typeof value === 'number' ? value : null;
    });
    return { key, groupId: canonicalJson(key), numbers };
  }

  private add({ key, groupId, numbers }: Contribution): void {
    let acc = this.groups.get(groupId);
    if (!acc) this.groups.set(groupId, (acc = emptyAccumulator(this.spec, key)));
    acc.c += 1;
    numbers.forEach((value, i) => {
      if (value === null) return;
      acc[`s${i}`] = (acc[`s${i}`] as number) + value;
      acc[`n${i}`] = (acc[`n${i}`] as number) + 1;
      const lo = acc[`lo${i}`] as number | null;
      const hi = acc[`hi${i}`] as number | null;
      if (lo === null || value < lo) acc[`lo${i}`] = value;
      if (hi === null || value > hi) acc[`hi${i}`] = value;
    });
  }

  /** Takes a row out of its group; returns the extremes it held. */
  private remove({ groupId, numbers }: Contribution): LostExtreme[] {
    const acc = this.groups.get(groupId);
    if (!acc) return [];
    acc.c -= 1;
    if (acc.c <= 0) {
      this.groups.delete(groupId);
      return [];
    }
    const lost: LostExtreme[] = [];
    numbers.forEach((value, i) => {
      if (value === null) return;
      const n = (acc[`n${i}`] as number) - 1;
      acc[`n${i}`] = n;
      // Exactly 0 once no number is left, whatever rounding the subtractions left behind.
      acc[`s${i}`] = n === 0 ? 0 : (acc[`s${i}`] as number) - value;
      for (const side of ['lo', 'hi'] as const) {
        if (acc[`${side}${i}`] !== value) continue;
        if (n === 0) acc[`${side}${i}`] = null;
        else lost.push({ groupId, index: i, side, value });
      }
    });
    return lost;
  }
}
