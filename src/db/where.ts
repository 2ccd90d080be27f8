import { r, type RDatum } from 'rethinkdb-ts';
import { absentResult, seesNull } from '../filter/evaluate.js';
import type { FieldNode, FieldTest, WhereNode } from '../filter/ast.js';
import { nativeFieldValue } from './paths.js';

/**
 * Compiles a parsed filter to a ReQL predicate for `.filter()`. The row must be an object (a
 * document). `native` (RethinkDB only, see src/db/dialect.ts) walks field paths with
 * `.default(null)` where that is exact; the default walk is null-safe on both backends.
 * @default native false
 */
export function compileWhere(node: WhereNode, native = false): (row: RDatum) => RDatum<boolean> {
  return (row) => compileNode(node, row, native);
}

function compileNode(node: WhereNode, row: RDatum, native: boolean): RDatum<boolean> {
  switch (node.kind) {
    case 'and':
      return all(node.nodes.map((child) => compileNode(child, row, native)));
    case 'or': {
      const [first, ...rest] = node.nodes.map((child) => compileNode(child, row, native));
      return first === undefined ? r.expr(false) : rest.length === 0 ? first : r.or(first, ...rest);
    }
    case 'not':
      return compileNode(node.node, row, native).not();
    case 'field':
      return node.tests.some(seesNull) || !native ? compileField(node, row) : compileNativeField(node, row);
  }
}

function all(terms: readonly RDatum<boolean>[]): RDatum<boolean> {
  const [first, ...rest] = terms;
  return first === undefined ? r.expr(true) : rest.length === 0 ? first : r.and(first, ...rest);
}

/**
 * `branch(present, tests, absentResult)`, where `present` walks the path with `typeOf`/`hasFields`
 * checks (and short-circuits) instead of `row('a')('b')`, which fails on a null `a` in reqlite.
 * The last step uses `hasFields` (null counts as absent) unless a test tells null from absent
 * (`eq: null`, `in: [null]`...); then it uses `keys().contains`.
 */
function compileField(node: FieldNode, row: RDatum): RDatum<boolean> {
  const keepNull = node.tests.some(seesNull);
  const checks: RDatum<boolean>[] = [];
  let value: RDatum = row;
  node.path.forEach((segment, i) => {
    if (i > 0) checks.push(value.typeOf().eq('OBJECT'));
    checks.push(keepNull && i === node.path.length - 1 ? value.keys().contains(segment) : value.hasFields(segment));
    value = value(segment);
  });
  return testsOn(node, checks, value, keepNull);
}

/**
 * The RethinkDB dialect's field test when no test tells null from absent (so a null field may be
 * taken as absent): one native walk to the value (null when absent), bound once for a nested path.
 */
function compileNativeField(node: FieldNode, row: RDatum): RDatum<boolean> {
  const value = nativeFieldValue(row, node.path);
  // A test that is false on null makes the presence check redundant: a cheaper predicate per row.
  const checks = (v: RDatum) => (node.tests.some(falseOnNull) ? [] : [v.ne(null)]);
  const [only] = node.tests;
  if (node.path.length === 1 || (node.tests.length === 1 && only && readsValueOnce(only))) return testsOn(node, checks(value), value, false);
  return value.do((v: RDatum) => testsOn(node, checks(v), v, false));
}

/** Whether the compiled test is false when the value is null (then null needs no check of its own). */
function falseOnNull(test: FieldTest): boolean {
  switch (test.op) {
    case 'eq':
      return test.value !== null;
    case 'in':
      return test.values.every((value) => value !== null);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'contains':
    case 'startsWith':
    case 'match':
      return true;
    default:
      return false;
  }
}

/** Whether the compiled test reads the value once (so a nested path needs no `do` to bind it). */
const readsValueOnce = (test: FieldTest): boolean => test.op === 'eq' || test.op === 'ne' || test.op === 'in' || test.op === 'nin';

/** The node's tests on `value`, which is present when every one of `checks` holds. */
function testsOn(node: FieldNode, checks: RDatum<boolean>[], value: RDatum, keepNull: boolean): RDatum<boolean> {
  const absent = node.tests.every(absentResult);
  const compiled = node.tests.map((test) => compileTest(test, value, keepNull));
  const terms = compiled.filter((term): term is RDatum<boolean> => typeof term !== 'boolean');
  const test: RDatum<boolean> | boolean = compiled.includes(false) ? false : terms.length === 0 ? true : all(terms);
  if (test === absent) return r.expr(absent);
  if (typeof test === 'boolean') return test ? all(checks) : all(checks).not();
  return absent ? r.branch(all(checks), test, true) : all([...checks, test]);
}

const COMPARISONS = { gt: 'gt', gte: 'ge', lt: 'lt', lte: 'le' } as const;

/** The test on a present value (`v` is never null unless keepNull); a boolean when constant. */
function compileTest(test: FieldTest, v: RDatum, keepNull: boolean): RDatum<boolean> | boolean {
  const isString = () => v.typeOf().eq('STRING');
  // r.branch rather than a 5-argument branch: reqlite evaluates only the first three arguments.
  const searches = (regex: string) => r.branch(isString(), v.match(regex).ne(null), false);
  switch (test.op) {
    case 'eq':
      return v.eq(test.value);
    case 'ne':
      return v.ne(test.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const type = typeof test.value === 'number' ? 'NUMBER' : 'STRING';
      return v.typeOf().eq(type).and(v[COMPARISONS[test.op]](test.value));
    }
    case 'in':
    case 'nin': {
      const found = r.expr([...test.values]).contains(v);
      return test.op === 'in' ? found : found.not();
    }
    case 'contains': {
      const inArray = v.typeOf().eq('ARRAY');
      const value = test.value;
      // Not r.expr(null): rethinkdb-ts 3.0.0 crashes on a first argument whose term is null.
      if (typeof value !== 'string') return inArray.and(v.contains(value === null ? null : r.expr(value)));
      return r.branch(inArray, v.contains(value), searches(escapeRegex(value)));
    }
    case 'startsWith':
      return test.value === '' ? isString() : searches(`^${escapeRegex(test.value)}`);
    case 'match':
      return searches(test.pattern);
    case 'exists':
      if (!keepNull) return test.value;
      return test.value ? v.ne(null) : v.eq(null);
  }
}

/** Escapes every character special in RE2 or JavaScript patterns (only ASCII punctuation: RE2 rejects other escapes). */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
