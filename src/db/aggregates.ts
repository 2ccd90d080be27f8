import { r, type RDatum } from 'rethinkdb-ts';
import { BadInput } from '../errors/domain.js';
import { parseFieldPath } from '../filter/path.js';
import { parseWhere } from '../filter/parse.js';
import { resultOf, type Accumulator, type AggregateResult, type AggregateSpec, type Contribution } from './aggregate-types.js';
import type { Catalog } from './catalog.js';
import type { BackendDialect, Dialect } from './dialect.js';
import type { ConnectionPool } from './pool.js';
import { asSequence, tableTerm } from './terms.js';

/** `a` or `b`, whichever `pick` prefers, where null means "no value yet". */
function extreme(a: RDatum, b: RDatum, pick: 'lt' | 'gt'): RDatum {
  // Nested two-way branches: reqlite evaluates only the first three arguments of a longer branch.
  return r.branch(a.eq(null), b, r.branch(b.eq(null), a, r.branch(a[pick](b), a, b)));
}

/**
 * Grouped aggregates computed in the database, in ONE query: each matching row is mapped to an
 * accumulator (aggregate-types.ts) and the accumulators of a group are reduced. Only numbers
 * count in sum / avg / min / max (`typeOf` NUMBER): RethinkDB's own `sum` fails on a string, and
 * one stray value should not break a dashboard.
 *
 * Why `map().group('k')` and not `group(fn)`: on reqlite, grouping an empty filtered selection
 * by a function fails ("Unexpected return value"); grouping the mapped rows by a field does not.
 */
export class Aggregates {
  constructor(
    private readonly pool: ConnectionPool,
    private readonly catalog: Catalog,
    private readonly backend: BackendDialect,
  ) {}

  /**
   * The aggregate of the rows of `db.table` matching `where`. BadInput when more than
   * `maxGroups` groups would come back; NotFound for a missing table.
   */
  async aggregate(db: string, table: string, where: unknown, spec: AggregateSpec, maxGroups: number): Promise<AggregateResult> {
    return resultOf(spec, await this.accumulators(db, table, where, spec, maxGroups));
  }

  /**
   * What each row matching `where` adds to the aggregate (primary key, group key, numbers), for a
   * live aggregate that keeps rows (src/subscriptions/aggregate-state.ts). Projections only, never documents.
   */
  async contributions(db: string, table: string, where: unknown, spec: AggregateSpec): Promise<Contribution[]> {
    const { primaryKey } = await this.catalog.table(db, table);
    const { selection, dialect } = await this.selection(db, table, where);
    const query = selection.map((row: RDatum) => ({
      id: row(primaryKey),
      k: r.expr(spec.groupBy.map((field) => dialect.fieldValue(row, parseFieldPath(field)))),
      v: r.expr(spec.numeric.map((field) => numberOrNull(dialect.fieldValue(row, parseFieldPath(field))))),
    }));
    return (await this.pool.read(query)) as Contribution[];
  }

  /** `aggregate` before its last step: each group's accumulator, in no particular order (what a live aggregate starts from). */
  async accumulators(db: string, table: string, where: unknown, spec: AggregateSpec, maxGroups: number): Promise<Accumulator[]> {
    await this.catalog.table(db, table);
    const { selection, dialect } = await this.selection(db, table, where);
    const grouped = selection
      .map((row: RDatum) => accumulatorOf(dialect, spec, row))
      .group('k')
      .reduce((a: RDatum, b: RDatum) => combined(spec, a, b))
      .ungroup()
      .limit(maxGroups + 1)
      .map((group: RDatum) => group('reduction'));
    const accumulators = ((await this.pool.read(grouped)) as Record<string, unknown>[]).map((reduced) => flattened(spec, reduced));
    if (accumulators.length > maxGroups) {
      throw new BadInput(`more than ${maxGroups} groups in ${db}.${table}; raise limit (up to the configured maximum) or group by fewer fields`, { database: db, table, max: maxGroups });
    }
    return accumulators;
  }

  /** The rows of `db.table` matching `where` (the whole table without one), and the dialect that compiled it. */
  private async selection(db: string, table: string, where: unknown) {
    const parsed = parseWhere(where);
    const dialect = await this.backend.dialect();
    const rows = asSequence(tableTerm(db, table));
    return { dialect, selection: parsed ? dialect.filter(rows, parsed) : rows };
  }
}

/** `value` when it is a number, else null. */
function numberOrNull(value: RDatum): RDatum {
  return value.do((v: RDatum) => r.branch(v.typeOf().eq('NUMBER'), v, null));
}

/**
 * One row's accumulator: count 1, its key, and per numeric field `f<i>` its sum, count of
 * numbers and extremes. Each field's value is walked to and type-checked ONCE per row (one
 * `do`), which halves the query's cost against four separate terms per field.
 */
function accumulatorOf(dialect: Dialect, spec: AggregateSpec, row: RDatum): Record<string, unknown> {
  const acc: Record<string, unknown> = {
    k: r.expr(spec.groupBy.map((field) => dialect.fieldValue(row, parseFieldPath(field)))),
    c: 1,
  };
  spec.numeric.forEach((field, i) => {
    acc[`f${i}`] = dialect
      .fieldValue(row, parseFieldPath(field))
      .do((v: RDatum) => r.branch(v.typeOf().eq('NUMBER'), { s: v, n: 1, lo: v, hi: v }, { s: 0, n: 0, lo: null, hi: null }));
  });
  return acc;
}

/** Two accumulators of one group as one. */
function combined(spec: AggregateSpec, a: RDatum, b: RDatum): Record<string, unknown> {
  const acc: Record<string, unknown> = { k: a('k'), c: a('c').add(b('c')) };
  spec.numeric.forEach((_field, i) => {
    const [x, y] = [a(`f${i}`), b(`f${i}`)];
    acc[`f${i}`] = { s: x('s').add(y('s')), n: x('n').add(y('n')), lo: extreme(x('lo'), y('lo'), 'lt'), hi: extreme(x('hi'), y('hi'), 'gt') };
  });
  return acc;
}

/** The database's accumulator (one object per numeric field) in the flat shape of Accumulator. */
function flattened(spec: AggregateSpec, reduced: Record<string, unknown>): Accumulator {
  const acc: Accumulator = { k: reduced.k as unknown[], c: reduced.c as number };
  spec.numeric.forEach((_field, i) => {
    const { s, n, lo, hi } = reduced[`f${i}`] as { s: number; n: number; lo: number | null; hi: number | null };
    Object.assign(acc, { [`s${i}`]: s, [`n${i}`]: n, [`lo${i}`]: lo, [`hi${i}`]: hi });
  });
  return acc;
}
