import { emptyAccumulator, resultOf, type Accumulator, type AggregateResult, type AggregateSpec, type Contribution, type Document } from '../db/index.js';
import { sortValue } from '../filter/order.js';
import { parseFieldPath } from '../filter/path.js';
import { canonicalJson } from './arguments.js';

/** A row as the aggregate keeps it: its contribution and its group's id. */
interface KeptRow {
  readonly contribution: Contribution;
  readonly groupId: string;
}

/**
 * A grouped aggregate kept in the gateway: one Accumulator per group (the database's shape, see
 * src/db/aggregate-types.ts) and, per matching row, only what it adds (its group key and its
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
  private readonly groups = new Map<string, Accumulator>();
  private readonly members = new Map<string, Set<string>>();
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
    this.members.clear();
    this.rows.clear();
    for (const contribution of contributions) this.add(JSON.stringify(contribution.id), contribution);
  }

  /** The result as callers see it, ordered by key. */
  result(): AggregateResult {
    return resultOf(this.spec, this.groups.values());
  }

  /**
   * Sets the row with primary key `id` (any JSON value) to `doc`, or removes it (undefined: deleted
   * or outside the filter). Returns whether the aggregate changed.
   */
  apply(id: unknown, doc: Document | undefined): boolean {
    const rowId = JSON.stringify(id);
    const before = this.rows.get(rowId);
    const after = doc && this.contributionOf(id, doc);
    if (before && after && canonicalJson(before.contribution) === canonicalJson(after)) return false;
    if (!before && !after) return false;
    if (before) this.remove(rowId, before);
    if (after) this.add(rowId, after);
    return true;
  }

  private contributionOf(id: unknown, doc: Document): Contribution {
    const k = this.groupPaths.map((path) => sortValue(doc, path));
    const v = this.numericPaths.map((path) => {
      const value = sortValue(doc, path);
      return typeof value === 'number' ? value : null;
    });
    return { id, k, v };
  }

  private add(rowId: string, contribution: Contribution): void {
    const groupId = canonicalJson(contribution.k);
    this.rows.set(rowId, { contribution, groupId });
    let acc = this.groups.get(groupId);
    if (!acc) {
      this.groups.set(groupId, (acc = emptyAccumulator(this.spec, contribution.k)));
      this.members.set(groupId, new Set());
    }
    this.members.get(groupId)?.add(rowId);
    acc.c += 1;
    contribution.v.forEach((value, i) => {
      if (value === null) return;
      acc[`s${i}`] = (acc[`s${i}`] as number) + value;
      acc[`n${i}`] = (acc[`n${i}`] as number) + 1;
      const lo = acc[`lo${i}`] as number | null;
      const hi = acc[`hi${i}`] as number | null;
      if (lo === null || value < lo) acc[`lo${i}`] = value;
      if (hi === null || value > hi) acc[`hi${i}`] = value;
    });
  }

  private remove(rowId: string, { contribution, groupId }: KeptRow): void {
    this.rows.delete(rowId);
    const members = this.members.get(groupId);
    members?.delete(rowId);
    const acc = this.groups.get(groupId);
    if (!acc || !members || members.size === 0) {
      this.groups.delete(groupId);
      this.members.delete(groupId);
      return;
    }
    acc.c -= 1;
    contribution.v.forEach((value, i) => {
      if (value === null) return;
      const n = (acc[`n${i}`] as number) - 1;
      acc[`n${i}`] = n;
      // Exactly 0 once no number is left, whatever rounding the subtractions left behind.
      acc[`s${i}`] = n === 0 ? 0 : (acc[`s${i}`] as number) - value;
      if (acc[`lo${i}`] === value || acc[`hi${i}`] === value) this.recomputeExtremes(acc, members, i);
    });
  }

  /** The least and greatest number of field `i` among a group's rows: only when the row that held one left. */
  private recomputeExtremes(acc: Accumulator, members: ReadonlySet<string>, i: number): void {
    let lo: number | null = null;
    let hi: number | null = null;
    for (const rowId of members) {
      const value = this.rows.get(rowId)?.contribution.v[i] ?? null;
      if (value === null) continue;
      if (lo === null || value < lo) lo = value;
      if (hi === null || value > hi) hi = value;
    }
    acc[`lo${i}`] = lo;
    acc[`hi${i}`] = hi;
  }
}
