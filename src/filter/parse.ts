import { RE2JS } from 're2js';
import safeRegex from 'safe-regex2';
import { BadInput } from '../errors/domain.js';
import { isDocObject } from './evaluate.js';
import type { FieldNode, FieldTest, JsonValue, TextMatcher, WhereNode } from './ast.js';
import { parseFieldPath } from './path.js';

/** The limits parseWhere enforces; beyond them it throws BadInput. */
export const WHERE_LIMITS = {
  /** Nesting of where objects (the root is level 1; each and/or/not adds one). */
  depth: 16,
  /** Operator tests in the whole filter (`{a: 1, b: {gt: 1, lt: 5}}` is 3). */
  conditions: 200,
  /** Elements of an `in`/`nin` array. */
  inValues: 1000,
  /** Characters of a `match` pattern. */
  patternLength: 256,
  /** Segments of a field path, and nesting of a JSON value (the driver refuses 20). */
  pathSegments: 16,
  valueDepth: 16,
} as const;

const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'match', 'exists'] as const;
type Operator = (typeof OPERATORS)[number];
const isOperator = (key: string): key is Operator => (OPERATORS as readonly string[]).includes(key);

/**
 * Parses and validates the client's `where` JSON. `undefined`/`null` mean "no filter" and return
 * undefined. Throws BadInput whose message names the offending field, operator or location.
 *
 * Grammar: `{ [fieldPath]: condition, and?: where[], or?: where[], not?: where }`, all keys ANDed;
 * `{}` matches everything. A condition is `{ [operator]: value, ... }` (every key an operator, all
 * ANDed) or any other JSON value, shorthand for `{ eq: value }`. A field path is dotted
 * (`profile.country`), segments non-empty; `and`, `or` and `not` cannot name fields.
 *
 * Semantics (compileWhere, matchesWhere and RethinkDB 2.4 agree on each):
 * - A field is *absent* when a key on its path is missing, or a step before the last is not an
 *   object (null, array, string, time...). A present field may hold null.
 * - On an absent field `ne` and `nin` are true; every other operator is false, except `exists`.
 * - `exists: true` holds when the field is present and not null, like RethinkDB's `hasFields`
 *   (which counts `{c: null}` as not having `c`); `exists: false` is its negation.
 * - `eq`/`ne`/`in`/`nin`/`contains` use deep JSON equality (object key order is irrelevant; 1 and
 *   1.0 are equal; "1" and 1 are not). So `{ deletedAt: null }` matches an explicit null only.
 * - `gt`/`gte`/`lt`/`lte` take a number or a string and only hold for a field of the same type
 *   (no ReQL cross-type ordering). Strings compare by Unicode code point, as RethinkDB does.
 * - `contains`: an array field holds an element equal to the value; a string field with a string
 *   value contains it as a substring; otherwise false.
 * - `startsWith`: a string field starting with the (string) value.
 * - `match`: a string field in which the regular expression finds a match (unanchored). Patterns
 *   are at most 256 characters, may start with `(?i)`, `(?m)` or `(?im)`, must compile in
 *   JavaScript and in RE2, and may not use what RethinkDB's RE2 lacks (lookaround,
 *   backreferences, `(?<`). Every engine that runs them is linear-time: RE2 on RethinkDB, re2js in
 *   the gateway (matchesWhere) and in the embedded reqlite (its launcher swaps reqlite's RegExp).
 *   Patterns that backtrack catastrophically in a backtracking engine (a quantifier inside a
 *   quantified group, as in `^(a+)+$`; more than 25 quantifiers) are refused all the same
 *   (safe-regex2's star-height check), so that no backend or future engine ever runs them.
 * - Limits: WHERE_LIMITS. Values must be JSON (finite numbers, no `$reql_type$` keys).
 */
export function parseWhere(input: unknown): WhereNode | undefined {
  if (input === undefined || input === null) return undefined;
  return parseNode(input, 'where', 1, { conditions: 0 });
}

function parseNode(input: unknown, at: string, depth: number, state: { conditions: number }): WhereNode {
  if (!isDocObject(input)) throw new BadInput(`${at} must be an object`, { at });
  if (depth > WHERE_LIMITS.depth) {
    throw new BadInput(`where is nested too deeply at ${at} (max ${WHERE_LIMITS.depth} levels)`, { at });
  }
  const nodes: WhereNode[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new BadInput(`"${key}" at ${at} needs a non-empty array of where objects`, { at });
      }
      const children = value.map((child: unknown, i) => parseNode(child, `${at}.${key}[${i}]`, depth + 1, state));
      nodes.push({ kind: key, nodes: children });
    } else if (key === 'not') {
      nodes.push({ kind: 'not', node: parseNode(value, `${at}.not`, depth + 1, state) });
    } else {
      const node = parseField(key, value);
      state.conditions += node.tests.length;
      if (state.conditions > WHERE_LIMITS.conditions) {
        throw new BadInput(`where has more than ${WHERE_LIMITS.conditions} conditions`, { at });
      }
      nodes.push(node);
    }
  }
  const [only] = nodes;
  return nodes.length === 1 && only ? only : { kind: 'and', nodes };
}

function parseField(field: string, condition: unknown): FieldNode {
  const path = parseFieldPath(field);
  if (path.length > WHERE_LIMITS.pathSegments) {
    throw new BadInput(`field path "${field.slice(0, 80)}" has more than ${WHERE_LIMITS.pathSegments} segments`, { field });
  }
  if (!isDocObject(condition)) return { kind: 'field', path, tests: [parseTest(field, 'eq', condition)] };
  const entries = Object.entries(condition);
  if (entries.length === 0) {
    throw new BadInput(`condition on field "${field}" has no operator (to compare with {} write { eq: {} })`, { field });
  }
  const tests = entries.map(([op, value]) => {
    if (!isOperator(op)) {
      throw new BadInput(`unknown operator "${op.slice(0, 40)}" on field "${field}" (known: ${OPERATORS.join(', ')})`, {
        field,
        operator: op.slice(0, 40),
      });
    }
    return parseTest(field, op, value);
  });
  return { kind: 'field', path, tests };
}

function parseTest(field: string, op: Operator, value: unknown): FieldTest {
  const fail = (problem: string) => new BadInput(`"${op}" on field "${field}" ${problem}`, { field, operator: op });
  switch (op) {
    case 'eq':
    case 'ne':
    case 'contains':
      return { op, value: toJson(value, fail) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return { op, value };
      throw fail('needs a number or a string');
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) throw fail('needs an array');
      if (value.length > WHERE_LIMITS.inValues) throw fail(`has more than ${WHERE_LIMITS.inValues} values`);
      return { op, values: value.map((item: unknown) => toJson(item, fail)) };
    case 'startsWith':
      if (typeof value !== 'string') throw fail('needs a string');
      return { op, value };
    case 'match':
      if (typeof value !== 'string') throw fail('needs a regular expression as a string');
      return { op, pattern: value, regex: parsePattern(value, fail) };
    case 'exists':
      if (typeof value !== 'boolean') throw fail('needs true or false');
      return { op, value };
  }
}

/** Copies a JSON value, refusing what the driver or the server would read as something else. */
function toJson(value: unknown, fail: (problem: string) => BadInput, depth = 0): JsonValue {
  if (depth > WHERE_LIMITS.valueDepth) throw fail(`has a value nested deeper than ${WHERE_LIMITS.valueDepth} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw fail('needs a finite number');
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item, fail, depth + 1));
  if (isDocObject(value)) {
    const copy: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = toJson(item, fail, depth + 1);
    return copy;
  }
  // `$reql_type$` objects are server pseudo-types (times, binary); isDocObject refuses them too.
  throw fail('needs a JSON value (null, boolean, number, string, array or plain object without "$reql_type$")');
}

/** Validates a `match` pattern; returns the linear-time (RE2) matcher the JS evaluator uses. */
function parsePattern(pattern: string, fail: (problem: string) => BadInput): TextMatcher {
  if (pattern.length > WHERE_LIMITS.patternLength) throw fail(`has a pattern longer than ${WHERE_LIMITS.patternLength} characters`);
  // A raw line break would also cut the pattern short in reqlite's inline-flag parser.
  if (/[\n\r\u2028\u2029]/.test(pattern)) throw fail('has a raw line break in its pattern (write \\n)');
  const flagged = /^\(\?([A-Za-z]+)\)/.exec(pattern);
  const flags = flagged?.[1] ?? '';
  if (!/^(i|m|im|mi)?$/.test(flags)) throw fail(`uses inline flags "(?${flags})": only (?i), (?m) and (?im) are supported`);
  const body = flagged ? pattern.slice(flagged[0].length) : pattern;
  try {
    new RegExp(body, flags);
  } catch (error) {
    throw fail(`is not a valid regular expression: ${(error as Error).message}`);
  }
  const unsupported = re2Unsupported(body);
  if (unsupported) throw fail(`uses ${unsupported}, which RethinkDB's regular expressions (RE2) do not support`);
  if (!safeRegex(body)) {
    throw fail(
      `has the pattern "${pattern}", which can backtrack catastrophically (a quantifier inside a quantified group, or more than 25 quantifiers): rewrite it without nested repetition`,
    );
  }
  try {
    // RE2 reads the inline flags itself, as RethinkDB does with the pattern as written.
    return RE2JS.compile(pattern);
  } catch (error) {
    throw fail(`is not a valid RE2 regular expression: ${(error as Error).message}`);
  }
}

/** Finds JavaScript-only constructs in a (valid JS) pattern; undefined when there are none. */
function re2Unsupported(body: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const escaped = body[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(escaped)) return 'a backreference';
      if (/[kuc]/.test(escaped)) return `the escape \\${escaped}`;
      i++;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
      if (body[i + 1] === '^') i++;
      if (body[i + 1] === ']') return 'an empty character class';
    } else if (c === '(' && body[i + 1] === '?') {
      const next = body.slice(i + 2, i + 4);
      if (next.startsWith('=') || next.startsWith('!')) return 'a lookahead';
      if (next === '<=' || next === '<!') return 'a lookbehind';
      if (next.startsWith('<')) return 'a named group';
    }
  }
  return undefined;
}

/** The distinct dotted field paths a filter reads, anywhere in it, in order of first appearance. */
export function whereFields(node: WhereNode): string[] {
  const fields = new Set<string>();
  const visit = (current: WhereNode): void => {
    if (current.kind === 'field') fields.add(current.path.join('.'));
    else if (current.kind === 'not') visit(current.node);
    else current.nodes.forEach(visit);
  };
  visit(node);
  return [...fields];
}
