import { r, type RDatum, type RTable } from 'rethinkdb-ts';
import type { FieldNode, FieldTest, WhereNode } from '../filter/ast.js';
import { compareCodePoints } from '../filter/evaluate.js';
import { compareReql, documentComparator, sortValue, type SortKey } from '../filter/order.js';
import type { TableInfo } from './catalog.js';
import type { Dialect } from './dialect.js';
import type { Document } from './document-types.js';
import { pathKey } from './field-indexes.js';
import { afterPosition } from './keyset.js';
import { asSequence, tableTerm } from './terms.js';

/** A list query, parsed: filter, sort keys (the primary key is always the last one) and page. */
export interface Selection {
  where: WhereNode | undefined;
  order: readonly SortKey[];
  offset: number;
  limit: number;
  /** Only rows strictly past this position (the sort keys' values, then the primary key), in the read direction. */
  after?: readonly unknown[];
  /** Read the order backwards (every key flipped, the primary key descending): the rows come last first. */
  backward?: boolean;
}

/** Which plan `selectQuery` chose (tests and benchmarks check it). */
export type PlanName = 'scan' | 'primary-order' | 'index-getAll' | 'index-between' | 'index-order' | 'index-cursor';

/** A chosen plan: its query, or (`read`) the queries it runs itself. */
export interface Plan {
  plan: PlanName;
  query: RDatum;
  /** Reads the page with `run` (which runs one query) when the plan needs more than one query. */
  read?: (run: (query: RDatum) => Promise<Document[]>) => Promise<Document[]>;
}

type Bound = { value: unknown; closed: boolean };
/** An index range; `node` is the field node whose range tests it comes from (none: a cursor's). */
type Range = { index: string; path: readonly string[]; node?: FieldNode; low?: Bound; high?: Bound };

/**
 * The query for a page of `selection`: documents matching the filter, ordered by the sort keys
 * then the primary key ascending (so order is total), `offset` skipped, at most `limit`. On
 * reqlite (and without usable indexes) a full scan and a sort. With the dialect's index plans,
 * an index only narrows or orders the candidates: the full filter still runs on each, so the
 * rows are exactly the scan's. `fieldIndexes` maps field paths to indexes (src/db/field-indexes.ts).
 * Past a position (`after`, src/db/keyset.ts) every plan filters the rows past it; the primary
 * index and a field index at a numeric position also start reading there (`between`).
 */
export function selectQuery(dialect: Dialect, info: TableInfo, selection: Selection, fieldIndexes: ReadonlyMap<string, string>): Plan {
  const { where, offset, limit, after, backward = false } = selection;
  const order = backward ? selection.order.map(({ path, descending }) => ({ path, descending: !descending })) : selection.order;
  const table = tableTerm(info.db, info.name);
  const past = after ? afterPosition(dialect, order, info.primaryKey, backward, after) : undefined;
  const filterBy = (node: WhereNode | undefined) => (candidates: RDatum) => {
    const matching = node ? dialect.filter(candidates, node) : candidates;
    return past ? matching.filter(past) : matching;
  };
  const filtered = filterBy(where);
  // A numeric range is exactly what `between` gives (see `between`): its tests need not run on each row.
  const filteredBeyond = (range: Range) => (isNumeric(range) && where && range.node ? filterBy(withoutRange(where, range.node)) : filtered);
  const sortTerms = [...order.map(({ path, descending }) => (descending ? r.desc : r.asc)((row: RDatum) => dialect.sortKey(row, path))), (backward ? r.desc : r.asc)(info.primaryKey)];
  const page = (sorted: RDatum) => sorted.skip(offset).limit(limit);
  const scan = (candidates: RDatum) => page(filtered(candidates).orderBy(...sortTerms));
  const scanPlan: Plan = { plan: 'scan', query: scan(asSequence(table)) };
  if (!dialect.usesIndexes) return scanPlan;

  const fields = where ? topLevelFields(where) : [];
  for (const field of fields) {
    const index = fieldIndexes.get(pathKey(field.path));
    const values = index ? indexableValues(field.tests) : undefined;
    if (index && values) return { plan: 'index-getAll', query: scan(asSequence(table.getAll(...values, { index }))) };
  }
  const ranges = fields.flatMap((field) => {
    const index = fieldIndexes.get(pathKey(field.path));
    return index ? [rangeOf(index, field)].filter((range): range is Range => range !== undefined) : [];
  });
  const [first] = order;
  const single = first && order.length === 1 ? first : undefined;
  const ordered = single ? ranges.find((range) => pathKey(range.path) === pathKey(single.path) && isNumeric(range)) : undefined;
  if (ordered && single) return indexOrder(table, narrowed(ordered, single, after), single, { ...selection, order, filtered, backward, candidatesOf: filteredBeyond(ordered) }, info.primaryKey);
  // A numeric position on an indexed order: the index holds the numbers past it; what lies
  // beyond them (null, objects, strings, none indexed or not numbers) needs the scan.
  const index = single && typeof after?.[0] === 'number' ? fieldIndexes.get(pathKey(single.path)) : undefined;
  if (index && single) {
    const numbers = cursorRange(index, single, after?.[0] as number);
    const indexed = indexOrder(table, numbers, single, { ...selection, order, filtered, backward }, info.primaryKey);
    const read = async (run: (query: RDatum) => Promise<Document[]>): Promise<Document[]> => {
      const rows = await (indexed.read ? indexed.read(run) : run(indexed.query));
      const complete = rows.length === limit && rows.every((row) => typeof sortValue(row, single.path) === 'number');
      return complete ? rows : run(scanPlan.query);
    };
    return { plan: 'index-cursor', query: indexed.query, read };
  }
  const [range] = ranges;
  if (range) return { plan: 'index-between', query: page(filteredBeyond(range)(asSequence(between(table, range))).orderBy(...sortTerms)) };
  if (order.length === 0) {
    const key = after?.[after.length - 1];
    const index = (backward ? r.desc : r.asc)(info.primaryKey);
    // Past a position the primary index starts there: the page reads no row before it.
    const from = key === undefined ? table.orderBy({ index }) : (backward ? table.between(r.minval, key, { rightBound: 'open' }) : table.between(key, r.maxval, { leftBound: 'open' })).orderBy({ index });
    return { plan: 'primary-order', query: page(filtered(asSequence(from))) };
  }
  return scanPlan;
}

/**
 * The plan that reads a numeric range of a field index in index order. The index gives ties by
 * primary key in ITS direction; when the primary key goes the other way, the page is read with
 * `readTieSorted`.
 */
function indexOrder(
  table: RTable,
  range: Range,
  key: SortKey,
  selection: Selection & { filtered: (candidates: RDatum) => RDatum; candidatesOf?: (candidates: RDatum) => RDatum },
  primaryKey: string,
): Plan {
  const candidates = (selection.candidatesOf ?? selection.filtered)(asSequence(between(table, range).orderBy({ index: (key.descending ? r.desc : r.asc)(range.index) })));
  if (key.descending === (selection.backward ?? false)) return { plan: 'index-order', query: candidates.skip(selection.offset).limit(selection.limit) };
  // The page and its tie slack, built once with the plan (plans are kept, src/db/plan-cache.ts).
  const wanted = selection.offset + selection.limit;
  const head = candidates.limit(wanted + TIE_SLACK(wanted));
  return { plan: 'index-order', query: candidates, read: (run) => readTieSorted(run, head, table, range, selection, primaryKey) };
}

/** `range` narrowed to start at a numeric position (`after`'s first value) in the key's direction. */
function narrowed(range: Range, key: SortKey, after: readonly unknown[] | undefined): Range {
  const value = after?.[0];
  if (typeof value !== 'number') return range;
  const bound = { value, closed: true };
  if (!key.descending) return !range.low || tighter(bound, range.low, 1) ? { ...range, low: bound } : range;
  return !range.high || tighter(bound, range.high, -1) ? { ...range, high: bound } : range;
}

/**
 * The numbers of an index from `value` on in the key's direction. Numbers sort after booleans
 * and before the (indexed) times and strings: `true` and `""` bound them, both open.
 */
function cursorRange(index: string, key: SortKey, value: number): Range {
  const at = { value, closed: true };
  return key.descending ? { index, path: key.path, low: { value: true, closed: false }, high: at } : { index, path: key.path, low: at, high: { value: '', closed: false } };
}

/**
 * An index gives ties by primary key in its own direction; when they must come the other way
 * (a descending key read forwards, an ascending one read backwards), reads a few rows past the
 * page (`TIE_SLACK`): when the page's last value ends within them the tie is complete (the index
 * keeps equal values together); only a longer tie is re-read whole (`between(v, v)`). Then
 * sorts in the gateway with the ReQL order (src/filter/order.ts). The sort key is a number on
 * every candidate (the range is numeric).
 */
async function readTieSorted(
  run: (query: RDatum) => Promise<Document[]>,
  /** The candidates' first `offset + limit + TIE_SLACK` rows. */
  headQuery: RDatum,
  table: RTable,
  range: Range,
  { order, offset, limit, filtered, backward }: Selection & { filtered: (candidates: RDatum) => RDatum },
  primaryKey: string,
): Promise<Document[]> {
  const wanted = offset + limit;
  if (wanted === 0) return [];
  const head = await run(headQuery);
  // `order` is already in the read direction; backwards the primary key descends too.
  const forward = documentComparator(backward ? order.map(({ path, descending }) => ({ path, descending: !descending })) : order, primaryKey);
  const compare = backward ? (a: Document, b: Document) => forward(b, a) : forward;
  const sorted = (docs: Document[]) => docs.sort(compare).slice(offset, wanted);
  const last = head[wanted - 1];
  if (!last || head.length === wanted) return sorted(head);
  const value = (doc: Document) => sortValue(doc, range.path);
  const end = head.findIndex((doc, i) => i >= wanted && compareReql(value(doc), value(last)) !== 0);
  if (end !== -1) return sorted(head.slice(0, end));
  const tie = await run(filtered(asSequence(table.between(value(last), value(last), { index: range.index, rightBound: 'closed' }))));
  return sorted([...head.filter((doc) => compareReql(value(doc), value(last)) !== 0), ...tie]);
}

/** Rows read past a tie-sorted page so that a short tie at its end needs no second query. */
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
