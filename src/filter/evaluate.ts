import type { FieldTest, JsonValue, WhereNode } from './ast.js';

/**
 * Evaluates a parsed filter against a document in JS, with exactly the semantics of compileWhere
 * on RethinkDB 2.4 (see parseWhere). The changefeed hub uses it to filter table-feed events in
 * the gateway. Times, binaries and other pseudo-types (as `Date`, `Buffer` or `$reql_type$`
 * objects) are opaque: present, equal to no JSON value, and not objects to walk into.
 */
export function matchesWhere(node: WhereNode, doc: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return node.nodes.every((child) => matchesWhere(child, doc));
    case 'or':
      return node.nodes.some((child) => matchesWhere(child, doc));
    case 'not':
      return !matchesWhere(node.node, doc);
    case 'field': {
      const found = lookup(doc, node.path);
      return node.tests.every((test) => (found ? holds(test, found.value) : absentResult(test)));
    }
  }
}

/** What a test gives on an absent field: true for `ne`, `nin` and `exists: false`. */
export function absentResult(test: FieldTest): boolean {
  return test.op === 'ne' || test.op === 'nin' || (test.op === 'exists' && !test.value);
}

/**
 * Whether a test gives a different answer for a null field than for an absent one. Only these
 * need the ReQL to tell them apart (`keys().contains` instead of `hasFields`).
 */
export function seesNull(test: FieldTest): boolean {
  if (test.op === 'eq' || test.op === 'ne') return test.value === null;
  if (test.op === 'in' || test.op === 'nin') return test.values.includes(null);
  return false;
}

/** A JSON object ReQL's typeOf calls OBJECT: plain, not an array, not a `$reql_type$` pseudo-type. */
export function isDocObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, '$reql_type$');
}

/** The value at `path`, or undefined when the field is absent (a present field may hold null). */
function lookup(doc: unknown, path: readonly string[]): { value: unknown } | undefined {
  let value = doc;
  for (const segment of path) {
    if (!isDocObject(value) || !Object.hasOwn(value, segment) || value[segment] === undefined) return undefined;
    value = value[segment];
  }
  return { value };
}

function holds(test: FieldTest, value: unknown): boolean {
  switch (test.op) {
    case 'eq':
      return jsonEqual(value, test.value);
    case 'ne':
      return !jsonEqual(value, test.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value !== typeof test.value) return false;
      const order = typeof value === 'string' ? compareCodePoints(value, test.value as string) : (value as number) - (test.value as number);
      return { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[test.op];
    }
    case 'in':
      return test.values.some((candidate) => jsonEqual(value, candidate));
    case 'nin':
      return !test.values.some((candidate) => jsonEqual(value, candidate));
    case 'contains':
      if (Array.isArray(value)) return value.some((item: unknown) => jsonEqual(item, test.value));
      return typeof value === 'string' && typeof test.value === 'string' && value.includes(test.value);
    case 'startsWith':
      return typeof value === 'string' && value.startsWith(test.value);
    case 'match':
      return typeof value === 'string' && test.regex.test(value);
    case 'exists':
      return (value !== null) === test.value;
  }
}

/** ReQL `eq` between a document value and a JSON value: deep, key order irrelevant. */
function jsonEqual(value: unknown, json: JsonValue): boolean {
  if (json === null || typeof json !== 'object') return value === json;
  if (Array.isArray(json)) {
    return Array.isArray(value) && value.length === json.length && json.every((item: JsonValue, i) => jsonEqual(value[i], item));
  }
  if (!isDocObject(value)) return false;
  const entries = Object.entries(json);
  return (
    Object.keys(value).filter((key) => value[key] !== undefined).length === entries.length &&
    entries.every(([key, item]) => Object.hasOwn(value, key) && jsonEqual(value[key], item))
  );
}

/**
 * Orders strings by Unicode code point, as RethinkDB does (UTF-8 bytes), not by UTF-16 unit as
 * JavaScript's `<` does: the two differ when a surrogate pair meets a character in U+E000-U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (U+D800-U+DFFF) above U+E000-U+FFFF, keeping each group's order. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
