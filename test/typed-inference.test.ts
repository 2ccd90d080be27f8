import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseModels } from '../src/models/declared.js';
import { sameDatabaseAs, startTestGateway, type TestGateway } from './support/gateway.js';

// Inferred types exist only in the database under test, not in the codegen schema, so these
// operations are plain strings: typed documents cover the declared leaderboard (typed-leaderboard.test.ts).

const open: TestGateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((gw) => gw.close()));
});

async function gateway(...args: Parameters<typeof startTestGateway>): Promise<TestGateway> {
  const gw = await startTestGateway(...args);
  open.push(gw);
  return gw;
}

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
const TYPE_FIELDS = `query($name: String!) { __type(name: $name) { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`;

/** A type's fields as `name: SDL type`, e.g. `count: Int`, `id: ID!`, `tags: [String]`. */
async function fieldsOf(gw: TestGateway, name: string): Promise<Record<string, string>> {
  const data = await gw.ok<{ __type: { fields: { name: string; type: TypeRef }[] } | null }>(TYPE_FIELDS, { name });
  if (!data.__type) throw new Error(`no type ${name}`);
  const sdl = (type: TypeRef): string =>
    type.kind === 'NON_NULL' ? `${sdl(type.ofType as TypeRef)}!` : type.kind === 'LIST' ? `[${sdl(type.ofType as TypeRef)}]` : (type.name as string);
  return Object.fromEntries(data.__type.fields.map((field) => [field.name, sdl(field.type)]));
}

const mixed = [
  {
    id: 'a', name: 'anvil', count: 1, ratio: 1, price: 1.5, active: true, at: '2026-01-01T00:00:00Z',
    tags: ['x', 'y'], dims: { w: 1, h: 2 }, mixed: 1, 'first-name': 'Ann', nothing: null,
  },
  {
    id: 'b', name: 'bolt', count: 2, ratio: 2.5, active: false, at: '2026-02-01T10:00:00+02:00',
    tags: [], dims: { w: 3, d: 'deep' }, mixed: 'one', '2fa': true, big: 2 ** 40, null: 'a key GraphQL enums cannot hold',
  },
];

describe('inferred models', () => {
  it('types a table from a sample of mixed documents: scalars, DateTime, nested objects, lists, JSON where types disagree, mapped names', async () => {
    const gw = await gateway();
    await gw.ok(`mutation { createTable(table: "gadgets") { name } }`);
    await gw.ok(`mutation($d: [JSONObject!]!) { insert(table: "gadgets", documents: $d) { inserted } }`, { d: mixed });
    await gw.app.schema.refresh();
    expect(await fieldsOf(gw, 'Gadget')).toEqual({
      _doc: 'JSONObject!',
      id: 'ID!',
      name: 'String',
      count: 'Int',
      ratio: 'Float',
      price: 'Float',
      big: 'Float',
      active: 'Boolean',
      at: 'DateTime',
      tags: '[String]',
      dims: 'GadgetDims',
      mixed: 'JSON',
      first_name: 'String',
      _2fa: 'Boolean',
      nothing: 'JSON',
      null: 'String',
    });
    expect(await fieldsOf(gw, 'GadgetDims')).toEqual({ w: 'Int', h: 'Int', d: 'String' });

    const data = await gw.ok<{ gadgets: unknown[]; nested: unknown[]; gadgetsCount: number; gadget: unknown }>(`{
      gadgets(where: { ratio: { gt: 2 } }) { id first_name _2fa dims { w d } mixed _doc }
      nested: gadgets(where: { dims: { w: { lt: 2 } } }, orderBy: [{ field: name, direction: DESC }]) { id tags at }
      gadgetsCount(where: { mixed: { eq: "one" } })
      gadget(id: "a") { first_name nothing }
    }`);
    expect(data.gadgets).toEqual([{ id: 'b', first_name: null, _2fa: true, dims: { w: 3, d: 'deep' }, mixed: 'one', _doc: mixed[1] }]);
    // Sortable by every top-level scalar except the key named null (not a possible enum value).
    const sortFields = await gw.ok<{ __type: { enumValues: { name: string }[] } }>(`{ __type(name: "GadgetOrderField") { enumValues { name } } }`);
    expect(sortFields.__type.enumValues.map((value) => value.name).sort()).toEqual(
      ['_2fa', 'active', 'at', 'big', 'count', 'first_name', 'id', 'mixed', 'name', 'nothing', 'price', 'ratio'].sort(),
    );
    expect(data.nested).toEqual([{ id: 'a', tags: ['x', 'y'], at: '2026-01-01T00:00:00Z' }]);
    expect(data.gadgetsCount).toBe(1);
    expect(data.gadget).toEqual({ first_name: 'Ann', nothing: null });
  });

  it('samples at most the configured number of documents', async () => {
    const gw = await gateway({ schemaSampleSize: 1 });
    await gw.ok(`mutation { createTable(table: "pairs") { name } }`);
    await gw.ok(`mutation { insert(table: "pairs", documents: [{ id: 1, only: "first" }]) { inserted } }`);
    await gw.ok(`mutation { insert(table: "pairs", documents: [{ id: 2, second: true }]) { inserted } }`);
    await gw.app.schema.refresh();
    const fields = Object.keys(await fieldsOf(gw, 'Pair'));
    // One of the two documents was read, never both.
    expect(fields.filter((name) => name === 'only' || name === 'second')).toHaveLength(1);
  });

  it('lets declared types override inferred ones and keeps inferred fields the declaration leaves out', async () => {
    const models = parseModels({ tables: { things: { fields: { code: { type: 'String', required: true } } } } }, 'test');
    const gw = await gateway({ models });
    await gw.ok(`mutation { insert(table: "things", documents: [{ id: "t1", code: 7, extra: 1.5 }]) { inserted } }`);
    await gw.app.schema.refresh();
    expect(await fieldsOf(gw, 'Thing')).toMatchObject({ code: 'String!', extra: 'Float' });
    const refused = await gw.gql(`mutation { insertThing(document: { extra: 2.5 }) { id } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/"code" is required/);
    expect((await gw.ok<{ thingsCount: number }>(`{ thingsCount }`)).thingsCount).toBe(1);
  });
});

describe('name collisions', () => {
  it('refuse to start when a declared table would take a generic field name', async () => {
    const models = parseModels({ tables: { tables: { fields: {} } } }, 'test');
    await expect(startTestGateway({ models })).rejects.toThrow(/"Query\.tables" of the typed field for table "tables" collides with the generic field Query\.tables/);
  });

  it('leave inferred tables out of the typed API (two tables that would get one type, a table named like a generic field): the gateway starts and serves them through the generic API, /ready and the log say why', async () => {
    const gw = await gateway();
    await gw.ok(`mutation { a: createTable(table: "crate") { name } b: createTable(table: "crates") { name } c: createTable(table: "tables") { name } d: createTable(table: "widgets") { name } }`);
    await gw.ok(`mutation { a: insert(table: "crate", documents: [{ id: "c1" }]) { inserted } b: insert(table: "crates", documents: [{ id: "cs1" }]) { inserted } c: insert(table: "tables", documents: [{ id: "t1" }]) { inserted } }`);
    await gw.app.schema.refresh();

    // Another gateway starting on that database (a replica, or a restart) starts and builds its schema.
    const warnings: { msg: string; table?: string; reason?: string }[] = [];
    const sink = { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) };
    const replica = await gateway(sameDatabaseAs(gw), pino({ level: 'warn' }, sink));
    await replica.app.whenPrepared();
    for (const served of [gw, replica]) {
      const ready = (await (await fetch(`http://127.0.0.1:${served.app.port}/ready`)).json()) as { ready: boolean; schema: { typedTables: number; skippedTables: number } };
      expect(ready.ready).toBe(true);
      expect(ready.schema).toMatchObject({ typedTables: 1, skippedTables: 3 });
      // /ready gives counts only; the served schema's status names the tables and says why.
      const status = served.app.schema.status();
      expect(status.lastError).toBeUndefined();
      expect(status.tables).toEqual(['widgets']);
      const sameType = /tables "crate" and "crates" would get the same GraphQL type "Crate"/;
      expect(status.skipped).toEqual([
        { table: 'crate', reason: expect.stringMatching(sameType) },
        { table: 'crates', reason: expect.stringMatching(sameType) },
        { table: 'tables', reason: expect.stringMatching(/collides with the generic .*; "tables" has no typed fields/) },
      ]);
      // The generic API serves every table; the typed API has none of the three.
      const data = await served.ok<{ a: unknown[]; b: unknown[]; c: unknown[]; tables: { name: string }[]; widgets: unknown[] }>(`{
        a: documents(table: "crate", ids: ["c1"]) b: documents(table: "crates", ids: ["cs1"]) c: documents(table: "tables", ids: ["t1"])
        tables { name } widgets { id }
      }`);
      expect(data).toEqual({ a: [{ id: 'c1' }], b: [{ id: 'cs1' }], c: [{ id: 't1' }], tables: ['crate', 'crates', 'tables', 'widgets'].map((name) => ({ name })), widgets: [] });
      expect((await served.gql(`{ crate(id: "c1") { id } }`)).errors?.[0]?.message).toMatch(/Cannot query field "crate"/);
      expect((await served.gql(`{ cratesCount }`)).errors?.[0]?.message).toMatch(/Cannot query field "cratesCount"/);
    }
    // One warning per table left out, naming it and the reason.
    expect(warnings.filter((line) => line.table !== undefined).map((line) => [line.table, line.msg])).toEqual([
      ['crate', expect.stringMatching(/^table "crate" has no typed fields: tables "crate" and "crates"/)],
      ['crates', expect.stringMatching(/^table "crates" has no typed fields/)],
      ['tables', expect.stringMatching(/^table "tables" has no typed fields/)],
    ]);
  });

  it('refuse to start when two declared tables would get one type', async () => {
    const models = parseModels({ tables: { crate: { fields: {} }, crates: { fields: {} } } }, 'test');
    await expect(startTestGateway({ models })).rejects.toThrow(/GraphQL name "Crate" of the type of table "crates" collides with the type of table "crate"/);
  });

  it('keep a declared table over an inferred one that would get its type', async () => {
    const models = parseModels({ tables: { crate: { fields: { size: { type: 'Int' } } } } }, 'test');
    const gw = await gateway({ models });
    await gw.ok(`mutation { createTable(table: "crates") { name } }`);
    await gw.app.schema.refresh();
    const ready = (await (await fetch(`http://127.0.0.1:${gw.app.port}/ready`)).json()) as { schema: { typedTables: number; skippedTables: number } };
    expect(ready.schema).toMatchObject({ typedTables: 1, skippedTables: 1 });
    expect(gw.app.schema.status()).toMatchObject({ tables: ['crate'], skipped: [{ table: 'crates' }] });
    expect(await gw.ok(`mutation { insertCrate(document: { id: "c1", size: 2 }) { id size } }`)).toEqual({ insertCrate: { id: 'c1', size: 2 } });
  });
});

describe('ID filters', () => {
  it('match numeric keys given as text, as one-document fields do', async () => {
    const gw = await gateway();
    await gw.ok(`mutation { createTable(table: "counters") { name } }`);
    await gw.ok(`mutation { insert(table: "counters", documents: [{ id: 7, n: 1 }, { id: "7x", n: 2 }, { id: 8, n: 3 }]) { inserted } }`);
    await gw.app.schema.refresh();
    const data = await gw.ok<Record<string, { n: number }[] | { n: number } | number>>(`{
      eq: counters(where: { id: { eq: "7" } }) { n }
      ne: counters(where: { id: { ne: "7" } }) { n }
      in: counters(where: { id: { in: ["8", "7x"] } }) { n }
      nin: countersCount(where: { id: { nin: ["7", "8"] } })
      one: counter(id: "7") { n }
    }`);
    // By primary key: numbers sort before strings.
    expect(data).toEqual({ eq: [{ n: 1 }], ne: [{ n: 3 }, { n: 2 }], in: [{ n: 3 }, { n: 2 }], nin: 1, one: { n: 1 } });
  });
});

describe('tables without known fields', () => {
  it('get a type with the primary key and _doc (and no update mutation) while empty', async () => {
    const gw = await gateway();
    await gw.ok(`mutation { createTable(table: "empties") { name } }`);
    await gw.app.schema.refresh();
    expect(await fieldsOf(gw, 'Empty')).toEqual({ id: 'ID!', _doc: 'JSONObject!' });
    const inserted = await gw.ok<{ insertEmpty: { id: string; _doc: Record<string, unknown> } }>(`mutation { insertEmpty(document: { id: "e1" }) { id _doc } }`);
    expect(inserted.insertEmpty).toEqual({ id: 'e1', _doc: { id: 'e1' } });
    const update = await gw.gql(`mutation { updateEmpty(id: "e1", patch: {}) { id } }`);
    expect(update.errors?.[0]?.message).toMatch(/Cannot query field "updateEmpty"/);
  });
});

describe('typed input errors in the operation text', () => {
  // Through variables (what clients send) a wrong type is BAD_USER_INPUT naming the path: typed-leaderboard.test.ts.
  it('are GraphQL validation errors with the value\'s location, and nothing runs', async () => {
    const models = parseModels({ tables: { notes: { fields: { n: { type: 'Int', required: true } } } } }, 'test');
    const gw = await gateway({ models });
    const literal = await gw.gql(`mutation { insertNote(document: { n: "many" }) { id } }`);
    expect(literal.errors?.[0]?.message).toMatch(/Int cannot represent/);
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(literal.errors?.[0]?.locations).toEqual([{ line: 1, column: 38 }]);
    expect((await gw.ok<{ notesCount: number }>(`{ notesCount }`)).notesCount).toBe(0);
  });
});
