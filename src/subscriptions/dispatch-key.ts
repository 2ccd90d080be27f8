import type { WhereNode } from '../filter/ast.js';

/** A value a dispatch key can index: what `eq` compares by value. */
export type IndexedValue = string | number | boolean;

/**
 * Which changes of a table can matter to a query: only those whose old or new document holds
 * one of `values` at the top-level `field` — a document that matches the query's filter neither
 * before nor after a change cannot change what the query shows. The table feed uses it to hand
 * each change only to the queries it can concern (src/subscriptions/table-feed.ts), so a
 * thousand `changes(id: …)` subscriptions or per-user channels on one table do not all look at
 * every change.
 */
export interface DispatchKey {
  readonly field: string;
  readonly values: readonly IndexedValue[];
}

export function isIndexedValue(value: unknown): value is IndexedValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** The bucket of a value: equal values under `eq` (1 and 1.0) share it, "1" and 1 do not. */
export function bucketOf(value: IndexedValue): string {
  return JSON.stringify(value);
}

/**
 * The dispatch key of a query watching `keys` (primary key candidates) or filtering with
 * `where`: the primary key for the former; for the latter a top-level field the filter requires
 * to equal a value (`eq`, or `in` a list of values), directly or in one branch of an `and`.
 * Undefined when the filter pins no such field: the query hears every change.
 */
export function dispatchKeyOf(primaryKey: string, where: WhereNode | undefined, keys?: readonly (string | number)[]): DispatchKey | undefined {
  if (keys && keys.length > 0) return { field: primaryKey, values: keys };
  return where ? pinnedField(where) : undefined;
}

function pinnedField(node: WhereNode): DispatchKey | undefined {
  if (node.kind === 'and') {
    for (const branch of node.nodes) {
      const key = pinnedField(branch);
      if (key) return key;
    }
    return undefined;
  }
  if (node.kind !== 'field' || node.path.length !== 1) return undefined;
  const field = node.path[0] as string;
  for (const test of node.tests) {
    if (test.op === 'eq' && isIndexedValue(test.value)) return { field, values: [test.value] };
    if (test.op === 'in' && test.values.length > 0 && test.values.every(isIndexedValue)) return { field, values: test.values as IndexedValue[] };
  }
  return undefined;
}
