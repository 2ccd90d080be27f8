import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, uniqueTable, type GraphQLResponse, type TestGateway } from './support/gateway.js';

// The generic `aggregate` query: grouped count / sum / avg / min / max computed in the
// database, numbers only, on both backends.

type Group = { key: Record<string, unknown>; count: number; sum: Record<string, unknown>; avg: Record<string, unknown>; min: Record<string, unknown>; max: Record<string, unknown> };
type AggregateData = { aggregate: { groups: Group[] } };

const AGGREGATE = `query($t: String!, $w: JSONObject, $g: [String!], $f: AggregateFieldsInput, $limit: Int) {
  aggregate(table: $t, where: $w, groupBy: $g, fields: $f, limit: $limit) { groups { key count sum avg min max } }
}`;
const ALL = { sum: ['score'], avg: ['score'], min: ['score'], max: ['score'] };

let gw: TestGateway;
let table: string;
beforeAll(async () => {
  gw = await startTestGateway({ maxRows: 2000 });
  table = uniqueTable('agg');
  await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  const docs = [
    { id: 'a', boardId: 'b1', score: 10, stats: { level: 1 } },
    { id: 'b', boardId: 'b1', score: 30, stats: { level: 2 } },
    { id: 'c', boardId: 'b1', score: 'thirty' }, // not a number: counted, not summed
    { id: 'd', boardId: 'b2', score: 5.5, stats: { level: 1 } },
    { id: 'e', boardId: 'b2', score: null },
    { id: 'f', score: 7 }, // no boardId: the null group
    { id: 'g', boardId: 'b3', score: [1, 2] },
  ];
  await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
});
afterAll(() => gw?.close());

const aggregate = (variables: Record<string, unknown>) => gw.gql<AggregateData>(AGGREGATE, { t: table, ...variables });
const groups = async (variables: Record<string, unknown>) => {
  const result = await aggregate(variables);
  expect(result.errors).toBeUndefined();
  return result.data?.aggregate.groups;
};

describe('aggregate', () => {
  it('groups by a field, in key order (null first), counting every row and only numbers in sum, avg, min and max', async () => {
    expect(await groups({ g: ['boardId'], f: ALL })).toEqual([
      { key: { boardId: null }, count: 1, sum: { score: 7 }, avg: { score: 7 }, min: { score: 7 }, max: { score: 7 } },
      { key: { boardId: 'b1' }, count: 3, sum: { score: 40 }, avg: { score: 20 }, min: { score: 10 }, max: { score: 30 } },
      { key: { boardId: 'b2' }, count: 2, sum: { score: 5.5 }, avg: { score: 5.5 }, min: { score: 5.5 }, max: { score: 5.5 } },
      { key: { boardId: 'b3' }, count: 1, sum: { score: null }, avg: { score: null }, min: { score: null }, max: { score: null } },
    ]);
  });

  it('without groupBy gives one group, also when no row matches (count 0, null aggregates)', async () => {
    expect(await groups({ f: { count: true, sum: ['score'] } })).toEqual([{ key: {}, count: 7, sum: { score: 52.5 }, avg: {}, min: {}, max: {} }]);
    expect(await groups({ w: { boardId: 'none' }, f: ALL })).toEqual([{ key: {}, count: 0, sum: { score: null }, avg: { score: null }, min: { score: null }, max: { score: null } }]);
    // With groupBy, no rows means no groups.
    expect(await groups({ w: { boardId: 'none' }, g: ['boardId'], f: ALL })).toEqual([]);
  });

  it('filters with where and groups by nested paths and several fields', async () => {
    expect(await groups({ w: { score: { gte: 10 } }, g: ['stats.level'], f: { max: ['score'] } })).toEqual([
      { key: { 'stats.level': 1 }, count: 1, sum: {}, avg: {}, min: {}, max: { score: 10 } },
      { key: { 'stats.level': 2 }, count: 1, sum: {}, avg: {}, min: {}, max: { score: 30 } },
    ]);
    const pairs = await groups({ g: ['boardId', 'stats.level'], w: { boardId: { in: ['b1', 'b2'] } } });
    expect(pairs?.map((group) => [group.key.boardId, group.key['stats.level'], group.count])).toEqual([
      ['b1', null, 1],
      ['b1', 1, 1],
      ['b1', 2, 1],
      ['b2', null, 1],
      ['b2', 1, 1],
    ]);
  });

  it('refuses more groups than limit, bad field paths, too many fields and a missing table, naming what is wrong', async () => {
    const tooMany = await aggregate({ g: ['id'], limit: 3 });
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(tooMany.errors?.[0]?.message).toContain('more than 3 groups');
    expect((await aggregate({ g: ['id'], limit: 7 })).data?.aggregate.groups).toHaveLength(7);
    const badPath = await aggregate({ f: { sum: ['a..b'] } });
    expect(badPath.errors?.[0]?.message).toMatch(/^sum: invalid field path "a\.\.b"/);
    const wide = await aggregate({ f: { avg: Array.from({ length: 17 }, (_, i) => `f${i}`) } });
    expect(wide.errors?.[0]?.message).toContain('avg names 17 fields; the maximum is 16');
    expect((await aggregate({ limit: 0 })).errors?.[0]?.message).toContain('limit must be an integer from 1 to');
    const missing: GraphQLResponse = await gw.gql(AGGREGATE, { t: 'no_such_table' });
    expect(missing.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('counts limit groups in the row budget', async () => {
    // MAX_ROWS is 2000 here: two aggregates of up to 1000 groups fit, three do not.
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: aggregate(table: "${table}", limit: 1000) { groups { count } }`).join(' ');
    expect((await gw.gql(`{ ${aliases(2)} }`)).errors).toBeUndefined();
    const result = await gw.gql(`{ ${aliases(3)} }`);
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED' } });
  });
});
