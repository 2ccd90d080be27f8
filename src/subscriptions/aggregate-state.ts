import { emptyAccumulator, resultOf, type Accumulator, type AggregateResult, type AggregateSpec, type Contribution, type Document } from '../db/index.js';
import { sortValue } from '../filter/order.js';
import { parseFieldPath } from '../filter/path.js';
import { canonicalJson } from './arguments.js';

/** One group: its accumulator and the ids of its rows. */
interface Group {
  readonly id: string;
  readonly acc: Accumulator;
  readonly members: Set<string>;
}

/** A row as the aggregate keeps it: its group (shared, not a copy of the key) and its numbers. */
interface KeptRow {
  readonly group: Group;
  readonly v: readonly (number | null)[];
}

/**
 * A grouped aggregate kept in the gateway: one Accumulator per group (the database's shape, see
 * src/db/aggregate-types.ts) and, per matching row, only what it adds (a reference to its group and its
 * numbers, not the document). A change replaces its row's contribution: count, sum and the count
 * of numbers are updated exactly; min / max only grow from a change, and when the row holding a
 * group's extreme leaves, the extreme is computed again from that group's kept rows.
 *
 * Why rows and not just the totals: a change event may arrive after a read that already
 * reflects it (the feed and the read travel on different connections), and reqlite sends some
 * deletes twice; replacing a row's contribution is idempotent, adding a delta is not.
 * Sums of non-integers may differ from a fresh query's in the last bits (rounding order).
 */
export class AggregateState {
  private readonly groups = new Map<string, Group>();
  private readonly rows = new Map<string, KeptRow>();
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

  /** Starts over from the contributions read from the database (db/aggregates.ts: Aggregates.contributions). */
  reset(contributions: readonly Contribution[]): void {
    this.groups.clear();
    this.rows.clear();
    for (const { id, k, v } of contributions) this.add(JSON.stringify(id), k, v);
  }

  /** The result as callers see it, ordered by key. */
  result(): AggregateResult {
    return resultOf(this.spec, [...this.groups.values()].map((group) => group.acc));
  }

  /**
   * Sets the row with primary key `id` (any JSON value) to `doc`, or removes it (undefined: deleted
   * or outside the filter). Returns whether the aggregate changed.
   */
  apply(id: unknown, doc: Document | undefined): boolean {
    const rowId = JSON.stringify(id);
    const before = this.rows.get(rowId);
    if (!before && !doc) return false;
    const k = doc && this.groupPaths.map((path) => sortValue(doc, path));
    const v = doc && this.numericPaths.map((path) => {
      const value = sortValue(doc, path);
      return typeof value === 'number' ? value : null;
    });
    if (before && k && v && before.group.id === canonicalJson(k) && before.v.every((value, i) => value === v[i])) return false;
    if (before) this.remove(rowId, before);
    if (k && v) this.add(rowId, k, v);
    return true;
  }

  private add(rowId: string, k: unknown[], v: readonly (number | null)[]): void {
    const groupId = canonicalJson(k);
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = { id: groupId, acc: emptyAccumulator(this.spec, k), members: new Set() }));
    this.rows.set(rowId, { group, v });
    group.members.add(rowId);
    const { acc } = group;
    acc.c += 1;
    v.forEach((value, i) => {
      if (value === null) return;
      acc[`s${i}`] = (acc[`s${i}`] as number) + value;
      acc[`n${i}`] = (acc[`n${i}`] as number) + 1;
      const lo = acc[`lo${i}`] as number | null;
      const hi = acc[`hi${i}`] as number | null;
      if (lo === null || value < lo) acc[`lo${i}`] = value;
      if (hi === null || value > hi) acc[`hi${i}`] = value;
    });
  }

  private remove(rowId: string, { group, v }: KeptRow): void {
    this.rows.delete(rowId);
    group.members.delete(rowId);
    if (group.members.size === 0) {
      this.groups.delete(group.id);
      return;
    }
    const { acc } = group;
    acc.c -= 1;
    v.forEach((value, i) => {
      if (value === null) return;
      const n = (acc[`n${i}`] as number) - 1;
      acc[`n${i}`] = n;
      // Exactly 0 once no number is left, whatever rounding the subtractions left behind.
      acc[`s${i}`] = n === 0 ? 0 : (acc[`s${i}`] as number) - value;
      if (acc[`lo${i}`] === value || acc[`hi${i}`] === value) this.recomputeExtremes(group, i);
    });
  }

  /** The least and greatest number of field `i` among a group's rows: only when the row that held one left. */
  private recomputeExtremes({ acc, members }: Group, i: number): void {
    let lo: number | null = null;
    let hi: number | null = null;
    for (const rowId of members) {
      const value = this.rows.get(rowId)?.v[i] ?? null;
      if (value === null) continue;
      if (lo === null || value < lo) lo = value;
      if (hi === null || value > hi) hi = value;
    }
    acc[`lo${i}`] = lo;
    acc[`hi${i}`] = hi;
  }
}
