import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

const player = { id: 'ada', name: 'Ada', score: 10, nickname: 'countess', tags: ['eu', 'pro', 'eu'], badges: ['old', 'gold', 'old'], stats: { wins: 2, losses: 1 } };

async function tableWith(...docs: Record<string, unknown>[]): Promise<string> {
  const table = uniqueTable('atomic');
  await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  await gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: docs });
  return table;
}

const UPDATE = `mutation($t: String!, $id: ID!, $patch: JSONObject, $inc: JSONObject, $append: JSONObject, $prepend: JSONObject,
  $removeFromArray: JSONObject, $unset: [String!], $setIfMissing: JSONObject) {
  update(table: $t, id: $id, patch: $patch, inc: $inc, append: $append, prepend: $prepend,
    removeFromArray: $removeFromArray, unset: $unset, setIfMissing: $setIfMissing)
}`;

async function stored(table: string, id: string): Promise<Record<string, unknown> | null> {
  return (await gw.ok<{ document: Record<string, unknown> | null }>('query($t: String!, $id: ID!) { document(table: $t, id: $id) }', { t: table, id })).document;
}

describe('atomic update operators', () => {
  it('applies every operator in one update and returns the new document', async () => {
    const table = await tableWith(player);
    const data = await gw.ok<{ update: Record<string, unknown> }>(UPDATE, {
      t: table,
      id: 'ada',
      patch: { name: 'Ada L.' },
      inc: { score: 5, 'stats.wins': 1, 'stats.draws': 1 },
      append: { tags: 'new' },
      prepend: { titles: 'first' },
      removeFromArray: { badges: 'old' },
      unset: ['nickname', 'stats.losses'],
      setIfMissing: { joined: '2026-01-01' },
    });
    const expected = { id: 'ada', name: 'Ada L.', score: 15, tags: ['eu', 'pro', 'eu', 'new'], badges: ['gold'], titles: ['first'], stats: { wins: 3, draws: 1 }, joined: '2026-01-01' };
    expect(data.update).toEqual(expected);
    expect(await stored(table, 'ada')).toEqual(expected);
  });

  it('append then removeFromArray: append adds one element (a list value is one element), removal takes every equal one', async () => {
    const table = await tableWith(player);
    await gw.ok(UPDATE, { t: table, id: 'ada', append: { tags: ['x', 'y'] } });
    expect((await stored(table, 'ada'))?.tags).toEqual(['eu', 'pro', 'eu', ['x', 'y']]);
    await gw.ok(UPDATE, { t: table, id: 'ada', removeFromArray: { tags: ['x', 'y'] } });
    await gw.ok(UPDATE, { t: table, id: 'ada', removeFromArray: { tags: 'eu' } });
    expect((await stored(table, 'ada'))?.tags).toEqual(['pro']);
  });

  it('setIfMissing keeps a present value and fills an absent or null one; removeFromArray leaves an absent list absent', async () => {
    const table = await tableWith({ id: 'x', name: 'kept', team: null });
    const data = await gw.ok<{ update: Record<string, unknown> }>(UPDATE, {
      t: table,
      id: 'x',
      setIfMissing: { name: 'lost', team: 'red', 'meta.created': 1 },
      removeFromArray: { tags: 'a' },
    });
    expect(data.update).toEqual({ id: 'x', name: 'kept', team: 'red', meta: { created: 1 } });
  });

  it('100 concurrent inc mutations on one score add exactly 100', async () => {
    const table = await tableWith({ id: 'p', score: 0 });
    const results = await Promise.all(Array.from({ length: 100 }, () => gw.gql(UPDATE, { t: table, id: 'p', inc: { score: 1 } })));
    expect(results.filter((result) => result.errors)).toEqual([]);
    expect((await stored(table, 'p'))?.score).toBe(100);
    // Every caller saw a distinct intermediate value: the increments were serialized by the database.
    const seen = results.map((result) => (result.data as { update: { score: number } }).update.score);
    expect(new Set(seen).size).toBe(100);
  });

  it('concurrent patches of different fields of one document all land', async () => {
    const table = await tableWith({ id: 'p' });
    const fields = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const results = await Promise.all(fields.map((field) => gw.gql(UPDATE, { t: table, id: 'p', patch: { [field]: true } })));
    expect(results.filter((result) => result.errors)).toEqual([]);
    expect(await stored(table, 'p')).toEqual({ id: 'p', ...Object.fromEntries(fields.map((field) => [field, true])) });
  });

  it.each([
    ['inc on a string', { inc: { name: 1 } }, 'name', 'inc needs a number at "name" but it holds a string'],
    ['append on an object', { append: { stats: 1 } }, 'stats', 'append needs a list at "stats" but it holds an object'],
    ['removeFromArray on a number', { removeFromArray: { score: 1 } }, 'score', 'removeFromArray needs a list at "score" but it holds a number'],
    ['inc below a number', { inc: { 'score.total': 1 } }, 'score.total', '"score" holds a number, not an object'],
    ['a type error after a valid operator', { inc: { score: 1 }, prepend: { name: 'x' } }, 'name', 'prepend needs a list at "name"'],
  ])('%s is BAD_USER_INPUT naming the field, and writes nothing', async (_label, operators, field, message) => {
    const table = await tableWith(player);
    const result = await gw.gql(UPDATE, { t: table, id: 'ada', patch: { name2: 'also not written' }, ...operators });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await stored(table, 'ada')).toEqual(player);
  });

  it.each([
    ['a non-numeric inc', { inc: { score: '1' } }, 'inc needs a finite number for "score"'],
    ['an operator on the primary key', { inc: { id: 1 } }, 'primary key "id" cannot be changed'],
    ['two operators on one field', { inc: { score: 1 }, unset: ['score'] }, '"score" (inc) and "score" (unset) write the same field'],
    ['a patch and an operator inside the same field', { patch: { stats: { wins: 0 } }, inc: { 'stats.wins': 1 } }, 'write the same field'],
    ['an empty field path', { inc: { 'stats..wins': 1 } }, 'invalid field path'],
    ['an update with nothing to do', {}, 'update needs a patch or an operator'],
    ['only null arguments', { patch: null, inc: null, unset: null }, 'update needs a patch or an operator'],
  ])('%s is refused before any write', async (_label, operators, message) => {
    const table = await tableWith(player);
    const result = await gw.gql(UPDATE, { t: table, id: 'ada', ...operators });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await stored(table, 'ada')).toEqual(player);
  });

  it('an operator on a missing document is NOT_FOUND and creates nothing', async () => {
    const table = await tableWith(player);
    const result = await gw.gql(UPDATE, { t: table, id: 'nobody', inc: { score: 1 } });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await stored(table, 'nobody')).toBeNull();
  });

  it('finds a numeric primary key given as an ID string, as plain updates do', async () => {
    const table = await tableWith({ id: 7, score: 1 });
    const data = await gw.ok<{ update: Record<string, unknown> }>(UPDATE, { t: table, id: '7', inc: { score: 2 } });
    expect(data.update).toEqual({ id: 7, score: 3 });
  });
});
