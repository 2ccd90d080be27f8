import { r, type RDatum } from 'rethinkdb-ts';
import type { SortKey } from '../filter/order.js';
import type { Dialect } from './dialect.js';

/**
 * The rows strictly after a position in an order, as a ReQL predicate: `(k1, …, kn, pk)` compared
 * lexicographically, each key in its own direction (`keys`, the primary key last in `pkDescending`
 * direction). `after` holds the position's values, one per key then the primary key.
 */
export function afterPosition(dialect: Dialect, keys: readonly SortKey[], primaryKey: string, pkDescending: boolean, after: readonly unknown[]): (row: RDatum) => RDatum<boolean> {
  return (row) => {
    // The primary key is always present: read it directly.
    const values: RDatum[] = [...keys.map(({ path }) => dialect.fieldValue(row, path)), row(primaryKey)];
    const directions = [...keys.map((key) => key.descending), pkDescending];
    const at = (i: number) => after[i] ?? null;
    // Either some key is past the position's and every earlier one ties with it.
    const branches = values.map((value, i) => {
      const past = pastValue(value, at(i), directions[i] ?? false);
      return values.slice(0, i).reduceRight((rest: RDatum, earlier, j) => earlier.eq(at(j)).and(rest), past);
    });
    return branches.reduceRight((rest, branch) => branch.or(rest)) as RDatum<boolean>;
  };
}

/**
 * `value` comes strictly after `bound` in this direction. A null bound is never sent as an
 * operand: reqlite answers `null < null` (and `null > null`) true, and the driver cannot send
 * `r.expr(null)` as a term's first argument. Null sorts right after the booleans (ReQL's order
 * of types): past it ascending is past `true` and not null, descending at or before `true`.
 */
function pastValue(value: RDatum, bound: unknown, descending: boolean): RDatum {
  if (bound === null) {
    const greatestBoolean: RDatum = r.expr(true);
    return descending ? value.le(greatestBoolean) : value.gt(greatestBoolean).and(value.ne(null));
  }
  // Any datum (rethinkdb-ts types comparison operands as strings, numbers or dates only).
  const term: RDatum = r.expr(bound);
  return descending ? value.lt(term) : value.gt(term);
}
