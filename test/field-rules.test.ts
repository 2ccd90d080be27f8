import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, post, securityFrom, token } from './support/auth.js';
import { startTestGateway, testDb, type GraphQLResponse, type TestGateway } from './support/gateway.js';

// Read-only and hidden fields against whole-document writes and operator errors: `replace`
// keeps read-only fields, and no error describes a hidden field.
const TABLE = 'field_rules';
const rules = {
  editor: { [`${testDb}.${TABLE}`]: { read: true, update: true, readonlyFields: ['score', 'badge'], hiddenFields: ['secret'] } },
  owner: { [`${testDb}.${TABLE}`]: { read: true, update: true, rows: { owner: { eq: '$user.id' } }, readonlyFields: ['score'] } },
};
const seed = [
  { id: 'a', owner: 'alice', text: 'first', score: 10, badge: null, secret: 'hunter2' },
  { id: 'b', owner: 'bob', text: 'second', score: 20 },
];

let gw: TestGateway;
const headers: Record<string, Record<string, string>> = {};
const as = <T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
  post<T>(gw, query, variables, headers[who] as Record<string, string>).then((answer) => answer.body);
const stored = async (id: string) => (await as<{ document: Record<string, unknown> }>('admin', `{ document(table: "${TABLE}", id: "${id}") }`)).data?.document;
const ok = async (query: string, variables?: Record<string, unknown>) => {
  const result = await as('admin', query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
};
const replace = (who: string, id: string, document: Record<string, unknown>) =>
  as<{ replace: Record<string, unknown> }>(who, `mutation($id: ID!, $d: JSONObject!) { replace(table: "${TABLE}", id: $id, document: $d) }`, { id, d: document });

beforeAll(async () => {
  gw = await startTestGateway({ security: securityFrom({ AUTH_MODE: 'jwt', JWT_SECRET: 'test-secret-of-at-least-32-bytes-long!', PERMISSIONS: JSON.stringify(rules) }) });
  for (const [who, claims] of Object.entries({ admin: { role: 'admin', sub: 'root' }, editor: { role: 'editor', sub: 'ed' }, alice: { role: 'owner', sub: 'alice' } })) {
    headers[who] = bearer(await token(claims));
  }
  await ok(`mutation { createTable(table: "${TABLE}") { name } }`);
});
beforeEach(async () => {
  await ok(`mutation($d: [JSONObject!]!) { insert(table: "${TABLE}", documents: $d, conflict: REPLACE) { inserted } }`, { d: seed });
});
afterAll(() => gw?.close());

describe('replace and read-only fields', () => {
  it('keeps the stored read-only fields (a null one too) when the replacement omits them', async () => {
    const result = await replace('editor', 'a', { owner: 'alice', text: 'rewritten' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.replace).toEqual({ id: 'a', owner: 'alice', text: 'rewritten', score: 10, badge: null });
    // A field the role may write (and read or not) goes, as a replace means.
    expect(await stored('a')).toEqual({ id: 'a', owner: 'alice', text: 'rewritten', score: 10, badge: null });
    expect(await replace('editor', 'b', { owner: 'bob' })).toMatchObject({ data: { replace: { id: 'b', owner: 'bob', score: 20 } } });
    expect(await stored('b')).toEqual({ id: 'b', owner: 'bob', score: 20 });
  });

  it('still refuses a replacement naming a read-only field, and keeps them under a row rule', async () => {
    expect((await replace('editor', 'a', { owner: 'alice', score: 99 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await replace('alice', 'b', { owner: 'alice' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await replace('alice', 'a', { owner: 'bob' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await stored('a')).toEqual(seed[0]);
    expect((await replace('alice', 'a', { owner: 'alice', text: 'mine' })).data?.replace).toEqual({ id: 'a', owner: 'alice', text: 'mine', score: 10 });
  });
});

describe('operator errors and hidden fields', () => {
  const inc = (who: string, field: string) => as(who, `mutation($inc: JSONObject!) { update(table: "${TABLE}", id: "a", inc: $inc) }`, { inc: { [field]: 1 } });

  it('never tell the stored type of a hidden field, and still do for a visible one', async () => {
    for (const field of ['secret', 'secret.length']) {
      const refused = await inc('editor', field);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toBe(`inc could not be applied to "${field}"`);
    }
    // The admin sees every field, so the whole message; so does the editor for a field it reads.
    expect((await inc('admin', 'secret')).errors?.[0]?.message).toBe('inc needs a number at "secret" but it holds a string');
    expect((await inc('editor', 'text')).errors?.[0]?.message).toBe('inc needs a number at "text" but it holds a string');
    expect((await inc('editor', 'text.length')).errors?.[0]?.message).toContain('"text" holds a string');
    expect(await stored('a')).toEqual(seed[0]);
  });
});
