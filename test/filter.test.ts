import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { r } from 'rethinkdb-ts';
import type { Connection, RDatum, RTable } from 'rethinkdb-ts';
import { reqliteDialect, rethinkdbDialect } from '../src/db/dialect.js';
import type { WhereNode } from '../src/filter/ast.js';
import { matchesWhere } from '../src/filter/evaluate.js';
import { parseWhere, whereFields, WHERE_LIMITS } from '../src/filter/parse.js';
import { BadInput } from '../src/errors/domain.js';
import { realServer } from './support/gateway.js';
import { openRawTable, type RawTable } from './support/raw-table.js';

function parse(input: unknown): WhereNode {
  const node = parseWhere(input);
  if (!node) throw new Error('expected a filter');
  return node;
}

function badInput(input: unknown): BadInput {
  try {
    parseWhere(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInput);
    return error as BadInput;
  }
  throw new Error(`parseWhere accepted ${JSON.stringify(input)}`);
}

const nest = (levels: number): Record<string, unknown> => (levels === 0 ? { a: 1 } : { not: nest(levels - 1) });

describe('parseWhere', () => {
  it('returns undefined for no filter and an AST for a filter', () => {
    expect(parseWhere(undefined)).toBeUndefined();
    expect(parseWhere(null)).toBeUndefined();
    expect(parse({})).toEqual({ kind: 'and', nodes: [] });
    expect(parse({ score: 1 })).toEqual({ kind: 'field', path: ['score'], tests: [{ op: 'eq', value: 1 }] });
    expect(parse({ 'profile.age': { gt: 1, lt: 5 }, not: { tags: null } })).toEqual({
      kind: 'and',
      nodes: [
        { kind: 'field', path: ['profile', 'age'], tests: [{ op: 'gt', value: 1 }, { op: 'lt', value: 5 }] },
        { kind: 'not', node: { kind: 'field', path: ['tags'], tests: [{ op: 'eq', value: null }] } },
      ],
    });
  });

  it('copies values, so later changes to the input do not leak into the filter', () => {
    const input = { tags: { in: [['a']] } };
    const node = parse(input);
    input.tags.in[0]?.push('b');
    expect(matchesWhere(node, { tags: ['a'] })).toBe(true);
  });

  it('rejects a where that is not an object', () => {
    for (const input of ['score', 5, true, [], [{ a: 1 }], new Date()]) {
      expect(badInput(input).message).toBe('where must be an object');
    }
  });

  it('names an unknown operator, its field and the known operators', () => {
    const error = badInput({ score: { gtt: 1 } });
    expect(error.message).toBe(
      'unknown operator "gtt" on field "score" (known: eq, ne, gt, gte, lt, lte, in, nin, contains, startsWith, match, exists)',
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toMatchObject({ field: 'score', operator: 'gtt' });
    expect(badInput({ 'a.b': { gt: 1, foo: 2 } }).message).toMatch(/^unknown operator "foo" on field "a\.b"/);
    expect(badInput({ a: { $eq: 1 } }).message).toMatch(/^unknown operator "\$eq"/);
    expect(badInput({ a: {} }).message).toMatch(/condition on field "a" has no operator/);
  });

  it('rejects values of the wrong type, naming operator and field', () => {
    const cases: Array<[unknown, string]> = [
      [{ tags: { in: 'a' } }, '"in" on field "tags" needs an array'],
      [{ tags: { nin: { a: 1 } } }, '"nin" on field "tags" needs an array'],
      [{ score: { gt: true } }, '"gt" on field "score" needs a number or a string'],
      [{ score: { lte: null } }, '"lte" on field "score" needs a number or a string'],
      [{ score: { lt: [1] } }, '"lt" on field "score" needs a number or a string'],
      [{ score: { gte: Number.NaN } }, '"gte" on field "score" needs a number or a string'],
      [{ name: { startsWith: 1 } }, '"startsWith" on field "name" needs a string'],
      [{ name: { match: /a/ } }, '"match" on field "name" needs a regular expression as a string'],
      [{ name: { exists: 'yes' } }, '"exists" on field "name" needs true or false'],
      [{ score: Number.POSITIVE_INFINITY }, '"eq" on field "score" needs a finite number'],
    ];
    for (const [input, message] of cases) expect(badInput(input).message).toBe(message);
    expect(badInput({ tags: { in: Array.from({ length: WHERE_LIMITS.inValues + 1 }, (_, i) => i) } }).message).toBe(
      '"in" on field "tags" has more than 1000 values',
    );
    expect(parse({ tags: { in: Array.from({ length: WHERE_LIMITS.inValues }, (_, i) => i) } }).kind).toBe('field');
  });

  it('accepts only JSON values', () => {
    for (const value of [undefined, new Date(0), () => 1, { $reql_type$: 'TIME', epoch_time: 0, timezone: '+00:00' }, [1, { x: undefined }]]) {
      expect(badInput({ a: { eq: value } }).message).toMatch(/^"eq" on field "a" needs a JSON value/);
    }
    let deep: unknown = 1;
    for (let i = 0; i < WHERE_LIMITS.valueDepth + 1; i++) deep = [deep];
    expect(badInput({ a: { eq: deep } }).message).toMatch(/nested deeper than 16 levels/);
    expect(badInput({ a: { contains: 1n } }).message).toMatch(/^"contains" on field "a" needs a JSON value/);
  });

  it('rejects bad field paths', () => {
    for (const field of ['a..b', '.a', 'a.', '', '.']) {
      const error = badInput({ [field]: 1 });
      expect(error.message).toMatch(/^invalid field path/);
      expect(error.message).toContain(JSON.stringify(field));
    }
    const long = Array.from({ length: WHERE_LIMITS.pathSegments + 1 }, (_, i) => `f${i}`).join('.');
    expect(badInput({ [long]: 1 }).message).toMatch(/has more than 16 segments/);
  });

  it('checks and, or and not', () => {
    expect(badInput({ and: { a: 1 } }).message).toBe('"and" at where needs a non-empty array of where objects');
    expect(badInput({ or: [] }).message).toBe('"or" at where needs a non-empty array of where objects');
    expect(badInput({ and: [{ a: 1 }, 'b'] }).message).toBe('where.and[1] must be an object');
    expect(badInput({ or: [{ not: 1 }] }).message).toBe('where.or[0].not must be an object');
    expect(badInput({ not: { and: [{ a: { in: 1 } }] } }).message).toBe('"in" on field "a" needs an array');
  });

  it('limits nesting depth to 16 and the filter to 200 conditions', () => {
    expect(parse(nest(WHERE_LIMITS.depth - 1)).kind).toBe('not');
    expect(badInput(nest(WHERE_LIMITS.depth)).message).toMatch(/^where is nested too deeply at where(\.not){16} \(max 16 levels\)$/);
    const fields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));
    expect(parse(fields(WHERE_LIMITS.conditions)).kind).toBe('and');
    expect(badInput(fields(WHERE_LIMITS.conditions + 1)).message).toBe('where has more than 200 conditions');
    expect(badInput({ a: { gt: 1, lt: 2 }, or: [fields(199)] }).message).toBe('where has more than 200 conditions');
  });

  it('validates regular expressions', () => {
    expect(badInput({ name: { match: '(' } }).message).toMatch(/^"match" on field "name" is not a valid regular expression: /);
    expect(badInput({ name: { match: '[a-' } }).message).toMatch(/^"match" on field "name" is not a valid regular expression/);
    expect(badInput({ name: { match: 'a'.repeat(WHERE_LIMITS.patternLength + 1) } }).message).toBe(
      '"match" on field "name" has a pattern longer than 256 characters',
    );
    expect(badInput({ name: { match: '(?s)a.b' } }).message).toMatch(/inline flags "\(\?s\)"/);
    expect(badInput({ name: { match: 'a(?=b)' } }).message).toMatch(/uses a lookahead, which RethinkDB/);
    expect(badInput({ name: { match: '(?<!a)b' } }).message).toMatch(/uses a lookbehind/);
    expect(badInput({ name: { match: '(?<n>a)' } }).message).toMatch(/uses a named group/);
    expect(badInput({ name: { match: '(a)\\1' } }).message).toMatch(/uses a backreference/);
    expect(badInput({ name: { match: '\\u0041' } }).message).toMatch(/uses the escape \\u/);
    expect(badInput({ name: { match: 'a\nb' } }).message).toMatch(/raw line break/);
    for (const pattern of ['(?i)^ab', '(?im)^x$', '\\(?=', '[(?=]', '\\\\1', '^a.b\\d+$', '']) {
      expect(parse({ name: { match: pattern } }).kind).toBe('field');
    }
  });

  it('lists the field paths a filter reads', () => {
    expect(whereFields(parse({}))).toEqual([]);
    expect(whereFields(parse({ score: 1, or: [{ 'profile.country': 'FR' }, { not: { score: 2, tags: [] } }] }))).toEqual([
      'score',
      'profile.country',
      'tags',
    ]);
  });
});

describe('matchesWhere', () => {
  it('treats times and other pseudo-types as opaque values', () => {
    const doc = { at: new Date(0), raw: { $reql_type$: 'TIME', epoch_time: 0, timezone: '+00:00' } };
    expect(matchesWhere(parse({ at: { exists: true }, raw: { exists: true } }), doc)).toBe(true);
    expect(matchesWhere(parse({ at: { eq: {} } }), doc)).toBe(false);
    expect(matchesWhere(parse({ 'raw.epoch_time': { exists: false } }), doc)).toBe(true);
    expect(matchesWhere(parse({ 'at.x': { ne: 1 } }), doc)).toBe(true);
  });

  it('orders strings by code point, as RethinkDB does', () => {
    expect(matchesWhere(parse({ s: { gt: '\uFF5E' } }), { s: '😀' })).toBe(true);
    expect(matchesWhere(parse({ s: { lt: '\uFF5E' } }), { s: '😀' })).toBe(false);
    expect(matchesWhere(parse({ s: { gte: 'ab' } }), { s: 'ab' })).toBe(true);
    expect(matchesWhere(parse({ s: { lt: 'ab' } }), { s: 'a' })).toBe(true);
  });
});

/** Documents chosen to trip each rule: missing fields, nulls, nulls mid-path, wrong types, unicode. */
const corpus: Array<Record<string, unknown>> = [
  { id: 1, score: 10, name: 'alice', tags: ['a', 'b'], profile: { country: 'FR', age: 30 }, active: true },
  { id: 2, score: 20, name: 'bob', tags: ['b', 'c'], profile: { country: 'US', age: 25 }, active: false },
  { id: 3, score: '10', name: 'Carol', tags: [], profile: { country: 'fr' } },
  { id: 4, score: null, name: null, tags: null, profile: null },
  { id: 5 },
  { id: 6, score: 5.5, name: 'dave', tags: ['a', ['x'], { k: 1 }], profile: { country: null, age: 40 } },
  { id: 7, score: -3, name: 'élodie', tags: 'a,b', profile: { country: { code: 'FR' } } },
  { id: 8, score: 0, name: '', tags: [null], profile: 'FR' },
  { id: 9, score: 100, name: 'Zoë 😀', profile: { country: 'DE' }, meta: { a: { b: { c: 1 } } } },
  { id: 10, score: true, name: 'a.b*c', profile: [{ country: 'FR' }] },
  { id: 11, score: [10], name: 'alice smith', meta: { a: { b: null } } },
  { id: 12, score: { value: 10 }, name: 'ALICE', meta: { a: null } },
  { id: 13, name: '(paren)[x]', meta: { a: { b: { c: 2, d: [1, 2] } } } },
  { id: 14, name: '^caret$', tags: ['a', 'a'] },
  { id: 15, name: 'back\\slash', obj: { x: 1, y: [1, { z: null }] } },
  { id: 16, obj: { y: [1, { z: null }], x: 1 } },
  { id: 17, obj: { x: 1, y: [1, { z: null }], extra: 2 } },
  { id: 18, obj: { x: 1.0, y: [1, {}] } },
  { id: 19, name: 'ÉLODIE', score: 1e21 },
  { id: 20, name: 'line1\nline2', score: 19.999 },
  { id: 21, name: 'ali', tags: ['A'] },
  { id: 22, flag: false, name: 'x' },
  { id: 23, flag: null },
  { id: 24, flag: 0 },
  { id: 25, name: '🙂 smile', u: '\uFF5E' },
  { id: 26, u: '😀' },
  { id: 27, 'dotted.key': 1 },
  // Pseudo-types: opaque to the filter (RethinkDB's object filter would walk into a time's fields).
  { id: 28, at: new Date(0), profile: { country: 'FR', age: 31 } },
];
const allIds = corpus.map((doc) => doc.id as number);
const except = (...ids: number[]) => allIds.filter((id) => !ids.includes(id));
const stringNames = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 25];
const scorePresent = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 19, 20];
const countryPresent = [1, 2, 3, 7, 9, 28];

/** [where, the ids RethinkDB 2.4 semantics select (undefined: only check agreement)]. */
const filters: Array<[Record<string, unknown>, number[] | undefined]> = [
  [{}, allIds],
  [{ score: 10 }, [1]],
  [{ score: { eq: '10' } }, [3]],
  [{ score: { ne: 10 } }, except(1)],
  [{ score: { gt: 5 } }, [1, 2, 6, 9, 19, 20]],
  [{ score: { gte: '10' } }, [3]],
  [{ score: { lt: 1 } }, [7, 8]],
  [{ score: { lte: 10, gt: 0 } }, [1, 6]],
  [{ score: null }, [4]],
  [{ score: { ne: null } }, except(4)],
  [{ score: { exists: true } }, scorePresent],
  [{ score: { exists: false } }, except(...scorePresent)],
  [{ score: { in: [10, '10', null] } }, [1, 3, 4]],
  [{ score: { nin: [10, 20] } }, except(1, 2)],
  [{ score: { in: [[10], { value: 10 }] } }, [11, 12]],
  [{ score: { contains: 10 } }, [11]],
  [{ 'profile.country': 'FR' }, [1, 28]],
  [{ 'profile.country': 'FR', 'profile.age': 30, active: true }, [1]],
  [{ and: [{ 'profile.country': 'FR' }, { profile: { eq: { country: 'FR', age: 31 } } }] }, [28]],
  [{ 'at.epoch_time': 0 }, []],
  [{ profile: 'FR', 'profile.country': 'FR' }, []],
  [{ 'at.timezone': '+00:00', id: 28 }, []],
  [{ at: { exists: true }, 'profile.age': 31 }, [28]],
  [{ 'profile.country': { ne: 'FR' } }, except(1, 28)],
  [{ 'profile.country': { exists: true } }, countryPresent],
  [{ 'profile.country': { exists: false } }, except(...countryPresent)],
  [{ 'profile.country': null }, [6]],
  [{ 'profile.country': { in: [null, 'US'] } }, [2, 6]],
  [{ 'profile.country': { nin: [null, 'US'] } }, except(2, 6)],
  [{ 'profile.country.code': 'FR' }, [7]],
  [{ 'profile.country': { eq: { code: 'FR' } } }, [7]],
  [{ 'profile.age': { nin: [30, 25] } }, except(1, 2)],
  [{ 'meta.a.b.c': { gte: 1 } }, [9, 13]],
  [{ 'meta.a.b': null }, [11]],
  [{ 'meta.a.b': { exists: false } }, except(9, 13)],
  [{ 'meta.a': { exists: true } }, [9, 11, 13]],
  [{ 'meta.a': { eq: null } }, [12]],
  [{ 'meta.a.b.d': { contains: 2 } }, [13]],
  [{ tags: { contains: 'a' } }, [1, 6, 7, 14]],
  [{ tags: { contains: ['x'] } }, [6]],
  [{ tags: { contains: { k: 1 } } }, [6]],
  [{ tags: { contains: null } }, [8]],
  [{ tags: ['a', 'b'] }, [1]],
  [{ tags: [] }, [3]],
  [{ tags: { in: [null, []] } }, [3, 4]],
  [{ name: { startsWith: 'ali' } }, [1, 11, 21]],
  [{ name: { startsWith: 'a.b' } }, [10]],
  [{ name: { startsWith: '(' } }, [13]],
  [{ name: { startsWith: '^' } }, [14]],
  [{ name: { startsWith: 'back\\' } }, [15]],
  [{ name: { startsWith: 'Zoë 😀' } }, [9]],
  [{ name: { startsWith: '' } }, stringNames],
  [{ name: { contains: 'ice' } }, [1, 11]],
  [{ name: { contains: '*' } }, [10]],
  [{ name: { contains: '' } }, stringNames],
  [{ name: { match: '^[A-Z]' } }, [3, 9, 12]],
  [{ name: { match: '(?i)^alice' } }, [1, 11, 12]],
  [{ name: { match: '(?m)^line2$' } }, [20]],
  [{ name: { match: 'é|É' } }, [7, 19]],
  [{ name: { match: '\\d' } }, [20]],
  [{ name: { match: '' } }, stringNames],
  [{ name: { gt: 'b' } }, [2, 6, 7, 15, 19, 20, 22, 25]],
  [{ name: 'Zoë 😀' }, [9]],
  [{ name: { in: ['élodie', 'ÉLODIE'] } }, [7, 19]],
  [{ and: [{ score: { gte: 0 } }, { score: { lt: 50 } }] }, [1, 2, 6, 8, 20]],
  [{ or: [{ name: 'bob' }, { 'profile.age': { gt: 35 } }] }, [2, 6]],
  [{ not: { score: { exists: true } } }, except(...scorePresent)],
  [{ not: { or: [{ tags: { contains: 'a' } }, { tags: { exists: false } }] } }, [2, 3, 8, 21]],
  [{ flag: false }, [22]],
  [{ flag: { in: [false, 0] } }, [22, 24]],
  [{ flag: { ne: false } }, except(22)],
  [{ obj: { eq: { x: 1, y: [1, { z: null }] } } }, [15, 16]],
  [{ 'obj.y': { contains: { z: null } } }, [15, 16, 17]],
  [{ 'dotted.key': 1 }, []],
  [{ active: true, 'profile.country': { startsWith: 'F' } }, [1]],
  [{ or: [{ score: { gt: 50 } }, { and: [{ name: { match: '^a' } }, { not: { tags: { exists: true } } }] }] }, undefined],
  [{ 'profile.country': { ne: null, nin: ['FR'], exists: true } }, undefined],
  [{ u: { lt: 'z' }, name: { exists: false } }, undefined],
];

// On the suite's backend: the embedded reqlite, or RETHINKDB_URL's server (the second lane). Every
// dialect that may run there is checked: reqlite's plans on both, RethinkDB's only on RethinkDB.
const dialects = realServer ? [reqliteDialect, rethinkdbDialect] : [reqliteDialect];

describe.each(dialects.map((dialect) => [dialect.name, dialect] as const))('compileWhere agrees with matchesWhere on the database (%s dialect)', (_name, dialect) => {
  let raw: RawTable;
  let conn: Connection;
  let table: RTable;

  beforeAll(async () => {
    raw = await openRawTable('filters', 'docs', corpus);
    conn = raw.conn;
    table = r.db(raw.db).table('docs');
  });

  afterAll(() => raw?.close());

  /** The ids the dialect's filter selects, checked against its predicate alone (no object filter). */
  async function databaseIds(node: WhereNode): Promise<number[]> {
    const ids = (docs: Array<{ id: number }>) => docs.map((doc) => doc.id).sort((a, b) => a - b);
    const filtered = ids(await (dialect.filter(table as unknown as RDatum, node) as RDatum<Array<{ id: number }>>).run(conn));
    expect(ids(await table.filter(dialect.compileWhere(node)).run(conn))).toEqual(filtered);
    return filtered;
  }

  const jsIds = (node: WhereNode) => corpus.filter((doc) => matchesWhere(node, doc)).map((doc) => doc.id as number);

  it.each(filters.map(([where, expected]) => [JSON.stringify(where), where, expected] as const))(
    '%s',
    async (_name, where, expected) => {
      const node = parse(where);
      const fromDatabase = await databaseIds(node);
      expect(fromDatabase).toEqual(jsIds(node));
      if (expected) expect(fromDatabase).toEqual(expected);
    },
  );

  it('strings order by code point (reqlite: by UTF-16 unit, a known discrepancy)', async () => {
    const node = parse({ u: { gt: '\uFF5E' } });
    expect(jsIds(node)).toEqual([26]); // RethinkDB 2.4: U+1F600 > U+FF5E
    expect(await databaseIds(node)).toEqual(realServer ? [26] : []); // reqlite compares "\uD83D..." < "\uFF5E"
  });
});
