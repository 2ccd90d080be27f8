import { r, type RDatum, type RTable } from 'rethinkdb-ts';
import type { FieldNode, FieldTest, WhereNode } from '../filter/ast.js';
import { compareCodePoints } from '../filter/evaluate.js';
import { compareReql, documentComparator, sortValue, type SortKey } from '../filter/order.js';
import type { TableInfo } from './catalog.js';
import type { Dialect } from './dialect.js';
import type { Document } from './document-types.js';
import { pathKey } from './field-indexes.js';
import { tableTerm } from './terms.js';

/** A list query, parsed: filter, sort keys (the primary key is always the last one) and page. */
export interface Selection {
  where: WhereNode | undefined;
  order: readonly SortKey[];
  offset: number;
  limit: number;
}

/** Which plan `selectQuery` chose (tests and benchmarks check it). */
export type PlanName = 'scan' | 'primary-order' | 'index-getAll' | 'index-between' | 'index-order';

/** A chosen plan: its query, or (`read`) the queries it runs itself. */
export interface Plan {
  plan: PlanName;
  query: RDatum;
  /** Reads the page with `run` (which runs one query) when the plan needs more than one query. */
  read?: (run: (query: RDatum) => Promise<Document[]>) => Promise<Document[]>;
}

type Bound = { value: unknown; closed: boolean };
type Range = { index: string; path: readonly string[]; node: FieldNode; low?: Bound; high?: Bound };

/**
 * The query for a page of `selection`: documents matching the filter, ordered by the sort keys
 * then the primary key ascending (so order is total), `offset` skipped, at most `limit`. On
 * reqlite (and without usable indexes) a full scan and a sort. With the dialect's index plans,
 * an index only narrows or orders the candidates: the full filter still runs on each, so the
 * rows are exactly the scan's. `fieldIndexes` maps field paths to indexes (src/db/field-indexes.ts).
 */
export function selectQuery(dialect: Dialect, info: TableInfo, selection: Selection, fieldIndexes: ReadonlyMap<string, string>): Plan {
  const { where, order, offset, limit } = selection;
  const table = tableTerm(info.db, info.name);
  const filterBy = (candidates: RDatum, node: WhereNode | undefined) => (node ? candidates.filter(dialect.compileWhere(node)) : candidates);
  const filtered = (candidates: RDatum) => filterBy(candidates, where);
  const keyOf = (path: readonly string[]) => (row: RDatum) => dialect.fieldValue(row, path);
  const sortTerms = [...order.map(({ path, descending }) => (descending ? r.desc(keyOf(path)) : r.asc(keyOf(path)))), r.asc(info.primaryKey)];
  const page = (sorted: RDatum) => sorted.skip(offset).limit(limit);
  const scan = (candidates: RDatum) => page(filtered(candidates).orderBy(...sortTerms));
  if (!dialect.usesIndexes) return { plan: 'scan', query: scan(sequence(table)) };

  const fields = where ? topLevelFields(where) : [];
  for (const field of fields) {
    const index = fieldIndexes.get(pathKey(field.path));
    const values = index ? indexableValues(field.tests) : undefined;
    if (index && values) return { plan: 'index-getAll', query: scan(sequence(table.getAll(...values, { index }))) };
  }
  const ranges = fields.flatMap((field) => {
    const index = fieldIndexes.get(pathKey(field.path));
    return index ? [rangeOf(index, field)].filter((range): range is Range => range !== undefined) : [];
  });
  const [first] = order;
  const ordered = first && order.length === 1 ? ranges.find((range) => pathKey(range.path) === pathKey(first.path) && isNumeric(range)) : undefined;
  if (ordered && first) {
    // The numeric range is exactly what `between` gives: its tests need not run on each row.
    const rest = (candidates: RDatum) => (where ? filterBy(candidates, withoutRange(where, ordered.node)) : candidates);
    const candidates = rest(sequence(between(table, ordered).orderBy({ index: (first.descending ? r.desc : r.asc)(ordered.index) })));
    // Ascending, the index gives ties by primary key ascending: the order asked for.
    if (!first.descending) return { plan: 'index-order', query: page(candidates) };
    return { plan: 'index-order', query: candidates, read: (run) => readDescending(run, candidates, table, ordered, { ...selection, filtered }, info.primaryKey) };
  }
  const [range] = ranges;
  if (range) {
    const rest = isNumeric(range) && where ? withoutRange(where, range.node) : where;
    return { plan: 'index-between', query: page(filterBy(sequence(between(table, range)), rest).orderBy(...sortTerms)) };
  }
  if (order.length === 0) return { plan: 'primary-order', query: page(filtered(sequence(table.orderBy({ index: info.primaryKey })))) };
  return { plan: 'scan', query: scan(sequence(table)) };
}

/**
 * A descending index gives ties by primary key DESCENDING; they must come ascending. Reads a few
 * rows past the page (`TIE_SLACK`): when the page's last value ends within them, the tie is
 * complete (the index keeps equal values together); only a longer tie is re-read whole
 * (`between(v, v)`), a second round trip. Then sorts in the gateway with the ReQL order
 * (src/filter/order.ts). The sort key is a number on every candidate (the numeric range says so).
 */
async function readDescending(
  run: (query: RDatum) => Promise<Document[]>,
  candidates: RDatum,
  table: RTable,
  range: Range,
  { order, offset, limit, filtered }: Selection & { filtered: (candidates: RDatum) => RDatum },
  primaryKey: string,
): Promise<Document[]> {
  const wanted = offset + limit;
  if (wanted === 0) return [];
  const head = await run(candidates.limit(wanted + TIE_SLACK(wanted)));
  const sorted = (docs: Document[]) => docs.sort(documentComparator(order, primaryKey)).slice(offset, wanted);
  const last = head[wanted - 1];
  if (!last || head.length === wanted) return sorted(head);
  const value = (doc: Document) => sortValue(doc, range.path);
  const end = head.findIndex((doc, i) => i >= wanted && compareReql(value(doc), value(last)) !== 0);
  if (end !== -1) return sorted(head.slice(0, end));
  const tie = await run(filtered(sequence(table.between(value(last), value(last), { index: range.index, rightBound: 'closed' }))));
  return sorted([...head.filter((doc) => compareReql(value(doc), value(last)) !== 0), ...tie]);
}

/** Rows read past a descending page so that a short tie at its end needs no second query. */
const TIE_SLACK = (wanted: number): number => Math.max(8, Math.ceil(wanted / 4));

/** The field nodes every match must satisfy: the root field, or the fields of a root `and`. */
function topLevelFields(node: WhereNode): FieldNode[] {
  if (node.kind === 'field') return [node];
  if (node.kind === 'and') return node.nodes.flatMap((child) => (child.kind === 'field' ? [child] : child.kind === 'and' ? topLevelFields(child) : []));
  return [];
}

/** An index stores strings, numbers and booleans as themselves (not null, not objects): values `getAll` may look up for an eq/in test. */
const indexable = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function indexableValues(tests: readonly FieldTest[]): unknown[] | undefined {
  for (const test of tests) {
    const values = test.op === 'eq' ? [test.value] : test.op === 'in' ? test.values : undefined;
    if (values && values.length > 0 && values.every(indexable)) return [...new Map(values.map((value) => [JSON.stringify(value), value])).values()];
  }
  return undefined;
}

/** The bounds the field's range tests (gt/gte/lt/lte) put on it, all of one type; undefined without any. */
function rangeOf(index: string, field: FieldNode): Range | undefined {
  const range: Range = { index, path: field.path, node: field };
  let type: string | undefined;
  for (const test of field.tests) {
    if (test.op !== 'gt' && test.op !== 'gte' && test.op !== 'lt' && test.op !== 'lte') continue;
    if (type !== undefined && typeof test.value !== type) return undefined; // no value satisfies both: leave it to the scan
    type = typeof test.value;
    const bound = { value: test.value, closed: test.op === 'gte' || test.op === 'lte' };
    // Keep the tightest bound; on equal values the open one.
    if (test.op === 'gt' || test.op === 'gte') {
      if (!range.low || tighter(bound, range.low, 1)) range.low = bound;
    } else if (!range.high || tighter(bound, range.high, -1)) range.high = bound;
  }
  return type === undefined ? undefined : range;
}

function tighter(bound: Bound, than: Bound, sign: 1 | -1): boolean {
  const a = bound.value as number | string;
  const b = than.value as number | string;
  // Strings by code point, as the server orders them (not JS's UTF-16 order).
  const order = typeof a === 'string' ? compareCodePoints(a, b as string) : a - (b as number);
  return order === 0 ? !bound.closed : order * sign > 0;
}

const isNumeric = (range: Range): boolean => typeof (range.low ?? range.high)?.value === 'number';

/**
 * A table, selection or stream as a generic ReQL sequence: rethinkdb-ts types each term's result
 * narrowly (RTable, RSelection, RStream), and the plans compose them with the same methods.
 */
function sequence(term: unknown): RDatum {
  return term as RDatum;
}

/**
 * The candidates of a range (`between` includes the low bound and excludes the high one unless
 * told). A numeric range's missing bound is the largest finite number, closed: the index then
 * yields exactly the numbers in range (every other type sorts outside), so the range's tests are
 * met by every candidate (`withoutRange`).
 */
function between(table: RTable, range: Range): ReturnType<RTable['between']> {
  const numeric = isNumeric(range);
  const open = (bound: Bound | undefined) => (bound ? (bound.closed ? 'closed' : 'open') : numeric ? 'closed' : undefined);
  return table.between(range.low?.value ?? (numeric ? -Number.MAX_VALUE : r.minval), range.high?.value ?? (numeric ? Number.MAX_VALUE : r.maxval), {
    index: range.index,
    leftBound: open(range.low) ?? 'closed',
    rightBound: open(range.high) ?? 'open',
  });
}

const RANGE_OPS: ReadonlySet<FieldTest['op']> = new Set(['gt', 'gte', 'lt', 'lte']);

/**
 * `where` without the range tests of `field` (one of its top-level field nodes, by identity),
 * which a numeric `between` on the field's index already enforces; undefined when nothing is left.
 */
function withoutRange(where: WhereNode, field: FieldNode): WhereNode | undefined {
  if (where === field) {
    const tests = field.tests.filter((test) => !RANGE_OPS.has(test.op));
    return tests.length === 0 ? undefined : { ...field, tests };
  }
  if (where.kind !== 'and') return where;
  const nodes = where.nodes.flatMap((node) => {
    const kept = withoutRange(node, field);
    return kept ? [kept] : [];
  });
  return nodes.length === 0 ? undefined : { kind: 'and', nodes };
}
