/**
 * The `where` language as the gateway holds it after parsing (filter/parse.ts): compiled to ReQL
 * by db/where.ts and evaluated on documents in the gateway by filter/evaluate.ts.
 */

/** A JSON value as a filter holds it (validated and copied at parse time). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A compiled `match` pattern: true when it matches somewhere in `text` (linear time). */
export interface TextMatcher {
  test(text: string): boolean;
}

/** One operator applied to the value at a field path. */
export type FieldTest =
  | { readonly op: 'eq' | 'ne' | 'contains'; readonly value: JsonValue }
  | { readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly value: number | string }
  | { readonly op: 'in' | 'nin'; readonly values: readonly JsonValue[] }
  | { readonly op: 'startsWith'; readonly value: string }
  /** `pattern` is sent to the server as written; `regex` is the same pattern, compiled by re2js, for the JS evaluator. */
  | { readonly op: 'match'; readonly pattern: string; readonly regex: TextMatcher }
  | { readonly op: 'exists'; readonly value: boolean };

/** A validated filter. `and` with no nodes matches every document. */
export type WhereNode =
  | { readonly kind: 'and' | 'or'; readonly nodes: readonly WhereNode[] }
  | { readonly kind: 'not'; readonly node: WhereNode }
  /** All tests must hold; they share one walk down `path`. */
  | { readonly kind: 'field'; readonly path: readonly string[]; readonly tests: readonly FieldTest[] };

export type FieldNode = Extract<WhereNode, { kind: 'field' }>;
