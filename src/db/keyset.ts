import { r, type RDatum } from 'rethinkdb-ts';
import type { SortKey } from '../filter/order.js';
import type { Dialect } from './dialect.js';

/**
 * The rows strictly after a position in an order, as a ReQL predicate: `(k1, …, kn, pk)` compared
 * lexicographically, each key in its own direction (`keys`, the primary key last in `pkDescending`
 * direction). `after` holds the position's values, one per key then the primary key. Each
 * comparison wraps both sides in a one-element array: reqlite answers `null < null` true (and
 * orders null ties wrongly), while arrays compare element by element on both servers, exactly as
 * the values themselves do on RethinkDB.
 */
export function afterPosition(dialect: Dialect, keys: readonly SortKey[], primaryKey: string, pkDescending: boolean, after: readonly unknown[]): (row: RDatum) => RDatum<boolean> {
  const all = [...keys, { path: [primaryKey], descending: pkDescending }];
  return (row) => {
    const values: RDatum[] = all.map(({ path }) => wrap(dialect.fieldValue(row, path)));
    const at = (i: number): RDatum => wrap(after[i] ?? null);
    // Either some key is past the position's and every earlier one ties with it.
    const branches = all.map(({ descending }, i) => {
      const value = values[i] as RDatum;
      const past = descending ? value.lt(at(i)) : value.gt(at(i));
      return values.slice(0, i).reduceRight((rest: RDatum, earlier, j) => earlier.eq(at(j)).and(rest), past);
    });
    return branches.reduceRight((rest, branch) => branch.or(rest)) as RDatum<boolean>;
  };
}

/** `[value]`, typed as a plain datum (rethinkdb-ts types an array's comparisons narrowly). */
function wrap(value: unknown): RDatum {
  return r.expr([value]);
}
