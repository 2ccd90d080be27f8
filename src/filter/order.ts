import { compareCodePoints, isDocObject } from './evaluate.js';

/** One sort key of a parsed orderBy: a field path and a direction. */
export interface SortKey {
  readonly path: readonly string[];
  readonly descending: boolean;
}

/**
 * RethinkDB's order of types: by type name, pseudo-types as `PTYPE<...>`. Measured identical on
 * reqlite 2.3 (arrays < booleans < null < numbers < objects < strings).
 */
const TYPE_RANK = { ARRAY: 0, BOOL: 1, NULL: 2, NUMBER: 3, OBJECT: 4, BINARY: 5, TIME: 6, STRING: 7 } as const;
type ReqlType = keyof typeof TYPE_RANK;

function typeOf(value: unknown): ReqlType {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return 'ARRAY';
  if (typeof value === 'boolean') return 'BOOL';
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'string') return 'STRING';
  if (value instanceof Date) return 'TIME';
  if (value instanceof Uint8Array) return 'BINARY';
  return 'OBJECT';
}

/**
 * Compares two values as ReQL's `orderBy` and `eq` do: first by type, then numbers by value,
 * strings by code point, arrays element by element, objects as their key-sorted [key, value]
 * pairs. Returns < 0, 0 or > 0; 0 means ReQL considers them equal.
 */
export function compareReql(a: unknown, b: unknown): number {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (ta) {
    case 'NULL':
      return 0;
    case 'BOOL':
      return Number(a) - Number(b);
    case 'NUMBER':
      return (a as number) - (b as number);
    case 'STRING':
      return compareCodePoints(a as string, b as string);
    case 'TIME':
      return (a as Date).getTime() - (b as Date).getTime();
    case 'BINARY':
      return Buffer.compare(a as Uint8Array, b as Uint8Array);
    case 'ARRAY':
      return compareArrays(a as readonly unknown[], b as readonly unknown[]);
    case 'OBJECT':
      return compareArrays(sortedPairs(a as Record<string, unknown>), sortedPairs(b as Record<string, unknown>));
  }
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareReql(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function sortedPairs(object: Record<string, unknown>): unknown[] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareCodePoints)
    .map((key) => [key, object[key]]);
}

/** Deep equality as ReQL's `eq` sees it (key order irrelevant, 1 equals 1.0, dates by instant). */
export function reqlEqual(a: unknown, b: unknown): boolean {
  return compareReql(a, b) === 0;
}

/**
 * The value `orderBy` sorts a document by: the value at `path`, or null when a step is missing
 * or not an object. The JS twin of `fieldValue` in paths.ts.
 */
export function sortValue(doc: unknown, path: readonly string[]): unknown {
  let value = doc;
  for (const segment of path) {
    if (!isDocObject(value) || value[segment] === undefined) return null;
    value = value[segment];
  }
  return value;
}

/**
 * A comparator giving exactly the order of `Documents.list` (the keys, then the primary key
 * ascending), so a window kept in JS matches what a fresh query returns.
 */
export function documentComparator(keys: readonly SortKey[], primaryKey: string): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  return (a, b) => {
    for (const { path, descending } of keys) {
      const order = compareReql(sortValue(a, path), sortValue(b, path));
      if (order !== 0) return descending ? -order : order;
    }
    return compareReql(a[primaryKey], b[primaryKey]);
  };
}
