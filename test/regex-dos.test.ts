import { describe, expect, it } from 'vitest';
import { BadInput } from '../src/errors/domain.js';
import { matchesWhere } from '../src/filter/evaluate.js';
import { parseWhere } from '../src/filter/parse.js';
import { uniqueTable } from './support/gateway.js';
import { subscribeSse, subscribeWs, subscriptionSuite, type ChangesData } from './support/subscriptions.js';

// Regular-expression denial of service: `match` patterns run in the database (RE2 on RethinkDB,
// reqlite's engine on the embedded server) and in the gateway, which evaluates subscription
// filters on every change. A backtracking engine takes exponential time on `^(a+)+$` or
// `^(a|aa)*$` against a long run of "a" that ends in something else; every engine must be linear.

const parse = (where: unknown) => parseWhere(where) ?? { kind: 'and' as const, nodes: [] };
// Overlapping alternation under a star: not a nested quantifier (the checker lets it through),
// yet exponential in a backtracking engine. Only a linear engine survives it.
const OVERLAPPING = '^(a|aa)*$';
const longRun = 'a'.repeat(20_000);

describe('match patterns', () => {
  it('refuses a pattern that backtracks catastrophically, naming it', () => {
    for (const pattern of ['^(a+)+$', '(a*)*b', '^(\\w+\\s?)*$']) {
      let error: unknown;
      try {
        parseWhere({ name: { match: pattern } });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BadInput);
      expect((error as Error).message).toContain(`"match" on field "name" has the pattern "${pattern}", which can backtrack catastrophically`);
    }
  });

  it('evaluates in the gateway in linear time: a long input gets its answer', () => {
    const node = parse({ s: { match: OVERLAPPING } });
    expect(matchesWhere(node, { s: `${longRun}b` })).toBe(false);
    expect(matchesWhere(node, { s: longRun })).toBe(true);
    // RE2 semantics with inline flags, as RethinkDB reads them.
    expect(matchesWhere(parse({ s: { match: '(?i)^ALICE' } }), { s: 'alice smith' })).toBe(true);
    expect(matchesWhere(parse({ s: { match: '(?m)^two$' } }), { s: 'one\ntwo\nthree' })).toBe(true);
  });
});

describe('match through the gateway', () => {
  const suite = subscriptionSuite();

  async function tableWith(docs: Record<string, unknown>[]): Promise<string> {
    const table = uniqueTable('regex');
    await suite.gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    if (docs.length) await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: docs });
    return table;
  }

  it('answers a catastrophic pattern with BAD_USER_INPUT naming it, on queries and subscriptions', async () => {
    const table = await tableWith([{ id: 'a', name: 'aaaa' }]);
    const where = { name: { match: '^(a+)+$' } };
    const query = await suite.gw.gql('query($t: String!, $w: JSONObject) { query(table: $t, where: $w) }', { t: table, w: where });
    expect(query.errors?.[0]).toMatchObject({ message: expect.stringContaining('"^(a+)+$"'), extensions: { code: 'BAD_USER_INPUT' } });
    const subscription = suite.track(subscribeSse(suite.gw.app.url, 'subscription($t: String!, $w: JSONObject) { changes(table: $t, where: $w) { type id } }', { t: table, w: where }));
    await subscription.ended;
    expect(subscription.results[0]?.errors?.[0]).toMatchObject({ message: expect.stringContaining('can backtrack catastrophically'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('runs a pattern a backtracking engine cannot finish, in the database and in a subscription filter', async () => {
    const table = await tableWith([
      { id: 'miss', s: `${longRun}b` },
      { id: 'hit', s: longRun },
    ]);
    const where = { s: { match: OVERLAPPING } };
    const rows = await suite.gw.ok<{ query: { id: string }[] }>('query($t: String!, $w: JSONObject) { query(table: $t, where: $w) }', { t: table, w: where });
    expect(rows.query.map((row) => row.id)).toEqual(['hit']);

    const subscription = suite.track(
      subscribeWs<ChangesData>(suite.clients.open(suite.gw.app.url), 'subscription($t: String!, $w: JSONObject) { changes(table: $t, where: $w) { type id } }', { t: table, w: where }),
    );
    await subscription.until((data) => data.some((d) => d.changes.type === 'READY'), 'READY');
    await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', {
      t: table,
      d: [
        { id: 'miss2', s: `${longRun}c` },
        { id: 'miss3', s: `x${longRun}` },
      ],
    });
    await suite.gw.ok('mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }', { t: table, d: [{ id: 'hit3', s: 'aaa' }] });
    await subscription.until((data) => data.some((d) => d.changes.id === 'hit3'), 'the matching insert');
    expect(subscription.data.map((d) => `${d.changes.type} ${d.changes.id ?? ''}`.trim())).toEqual(['READY', 'ADD hit3']);
  });
});
