/** The shapes of aggregate queries, and the accumulator the database and the live aggregates share. */
import { BadInput } from '../errors/domain.js';
import { compareReql } from '../filter/order.js';
import { parseFieldPath } from '../filter/path.js';

/** Most fields in one `groupBy` or one of sum / avg / min / max: each adds terms to every row's reduction. */
export const MAX_AGGREGATE_FIELDS = 16;

/** What to compute per group, as a caller asks for it (field paths such as `score` or `stats.wins`). */
export interface AggregateRequest {
  groupBy?: readonly string[] | null;
  sum?: readonly string[] | null;
  avg?: readonly string[] | null;
  min?: readonly string[] | null;
  max?: readonly string[] | null;
}

/** An aggregate request checked and normalised (see parseAggregate). */
export interface AggregateSpec {
  /** The group key's fields, in order; empty: one group over every matching row. */
  readonly groupBy: readonly string[];
  readonly sum: readonly string[];
  readonly avg: readonly string[];
  readonly min: readonly string[];
  readonly max: readonly string[];
  /** Every field sum / avg / min / max reads, once each: the accumulator keeps `s`, `n`, `lo`, `hi` for each, by index. */
  readonly numeric: readonly string[];
}

/** One group of an aggregate result. Numeric aggregates consider numbers only; null when the group holds none. */
export interface AggregateGroup {
  /** The group's value of each groupBy field (null when a row lacks it), by field path. */
  readonly key: Readonly<Record<string, unknown>>;
  /** Rows in the group. */
  readonly count: number;
  readonly sum: Readonly<Record<string, number | null>>;
  readonly avg: Readonly<Record<string, number | null>>;
  readonly min: Readonly<Record<string, number | null>>;
  readonly max: Readonly<Record<string, number | null>>;
}

/** An aggregate's groups, ordered by key (ReQL order of the key values, field by field). */
export interface AggregateResult {
  readonly groups: readonly AggregateGroup[];
}

/**
 * One group's running totals, the same shape in the database's reduction and in the gateway's
 * live aggregates: `k` the key values, `c` the row count, and for the i-th numeric field `s<i>`
 * the sum of its numbers, `n<i>` how many numbers, `lo<i>` / `hi<i>` the least / greatest (null: none).
 */
export type Accumulator = { k: unknown[]; c: number } & Record<string, unknown>;

/** What one row adds to an aggregate: its primary key, its group key values and each numeric field's number (null: not a number). */
export interface Contribution {
  readonly id: unknown;
  readonly k: unknown[];
  readonly v: (number | null)[];
}

function fieldList(what: string, fields: readonly string[] | null | undefined): string[] {
  const list = [...new Set(fields ?? [])];
  if (list.length > MAX_AGGREGATE_FIELDS) throw new BadInput(`${what} names ${list.length} fields; the maximum is ${MAX_AGGREGATE_FIELDS}`, { argument: what });
  for (const field of list) {
    try {
      parseFieldPath(field);
    } catch (error) {
      throw new BadInput(`${what}: ${error instanceof Error ? error.message : String(error)}`, { argument: what, field });
    }
  }
  return list;
}

/** Checks an aggregate request (field paths, at most MAX_AGGREGATE_FIELDS per list): BadInput naming the list and field. */
export function parseAggregate(request: AggregateRequest): AggregateSpec {
  const sum = fieldList('sum', request.sum);
  const avg = fieldList('avg', request.avg);
  const min = fieldList('min', request.min);
  const max = fieldList('max', request.max);
  return { groupBy: fieldList('groupBy', request.groupBy), sum, avg, min, max, numeric: [...new Set([...sum, ...avg, ...min, ...max])] };
}

/** Every field an aggregate reads (groupBy and numeric), for permission checks. */
export function aggregateFields(spec: AggregateSpec): string[] {
  return [...spec.groupBy, ...spec.numeric];
}

/** The group an accumulator stands for, as callers see it. */
export function groupOf(spec: AggregateSpec, acc: Accumulator): AggregateGroup {
  const index = new Map(spec.numeric.map((field, i) => [field, i]));
  const pick = (fields: readonly string[], value: (i: number, n: number) => number | null) =>
    Object.fromEntries(
      fields.map((field) => {
        const i = index.get(field) as number;
        const n = acc[`n${i}`] as number;
        return [field, n > 0 ? value(i, n) : null];
      }),
    );
  return {
    key: Object.fromEntries(spec.groupBy.map((field, i) => [field, acc.k[i] ?? null])),
    count: acc.c,
    sum: pick(spec.sum, (i) => acc[`s${i}`] as number),
    avg: pick(spec.avg, (i, n) => (acc[`s${i}`] as number) / n),
    min: pick(spec.min, (i) => acc[`lo${i}`] as number),
    max: pick(spec.max, (i) => acc[`hi${i}`] as number),
  };
}

/**
 * The result from every group's accumulator, ordered by key. Without groupBy there is always
 * exactly one group (count 0 and null aggregates when no row matches), as in SQL.
 */
export function resultOf(spec: AggregateSpec, accumulators: Iterable<Accumulator>): AggregateResult {
  const groups = [...accumulators].filter((acc) => acc.c > 0).sort((a, b) => compareKeys(a.k, b.k));
  if (spec.groupBy.length === 0 && groups.length === 0) groups.push(emptyAccumulator(spec, []));
  return { groups: groups.map((acc) => groupOf(spec, acc)) };
}

function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareReql(a[i] ?? null, b[i] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

/** A group with no rows yet. */
export function emptyAccumulator(spec: AggregateSpec, key: unknown[]): Accumulator {
  const acc: Accumulator = { k: key, c: 0 };
  spec.numeric.forEach((_field, i) => Object.assign(acc, { [`s${i}`]: 0, [`n${i}`]: 0, [`lo${i}`]: null, [`hi${i}`]: null }));
  return acc;
}
