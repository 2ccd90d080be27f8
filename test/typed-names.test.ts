import { describe, expect, it } from 'vitest';
import type { FieldModel, TableModel } from '../src/models/model.js';
import { SchemaNameCollision } from '../src/models/names.js';
import { buildSchema } from '../src/schema/index.js';

// Building the schema connects to nothing: these check which tables get typed fields, fast.
const int: FieldModel = { key: 'n', type: { kind: 'scalar', name: 'Int' }, required: false };
const table = (name: string, declared = false, fields: FieldModel[] = [int]): TableModel => ({ table: name, primaryKey: 'id', fields, declared });

describe('tables whose GraphQL names clash', () => {
  it('leave inferred tables out of the typed API and say why: two that would get one type, one named like a generic field, one named like another table\'s nested type', () => {
    const stat: FieldModel = { key: 'stat', type: { kind: 'object', fields: [int] }, required: false };
    const { schema, leftOut } = buildSchema([table('crate'), table('crates'), table('player', false, [stat]), table('player_stat'), table('tables'), table('widgets')]);
    expect(leftOut).toEqual([
      { table: 'crate', reason: expect.stringMatching(/tables "crate" and "crates" would get the same GraphQL type "Crate"/) },
      { table: 'crates', reason: expect.stringMatching(/tables "crate" and "crates" would get the same GraphQL type "Crate"/) },
      // Table types are named first: the nested type is the one that clashes.
      { table: 'player', reason: expect.stringMatching(/GraphQL name "PlayerStat" of the nested object Player.stat collides with the type of table "player_stat"; .*"player" has no typed fields/) },
      { table: 'tables', reason: expect.stringMatching(/collides with the generic .*; "tables" has no typed fields/) },
    ]);
    const query = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(query).filter((name) => /^(crate|player|widget|tables)/.test(name)).sort()).toEqual(['playerStat', 'playerStatList', 'playerStatListAggregate', 'playerStatListConnection', 'playerStatListCount', 'tables', 'widget', 'widgets', 'widgetsAggregate', 'widgetsConnection', 'widgetsCount']);
    expect(schema.getType('PlayerStat')?.toString()).toBe('PlayerStat');
    expect(schema.getType('Player')).toBeUndefined();
    expect(schema.getType('Crate')).toBeUndefined();
  });

  it('leave out an inferred table two of whose keys give one field name (a-b and a_b)', () => {
    const keys = ['a-b', 'a_b'].map((key): FieldModel => ({ ...int, key }));
    const { schema, leftOut } = buildSchema([table('pairs', false, keys), table('widgets')]);
    expect(leftOut).toEqual([{ table: 'pairs', reason: expect.stringMatching(/GraphQL name "a_b" of the (filter )?field "a_b" of Pair collides with the (filter )?field "a-b" of Pair/) }]);
    expect(schema.getType('Pair')).toBeUndefined();
    expect(schema.getType('Widget')).toBeDefined();
  });

  it('keep a declared table over an inferred one, and refuse declared tables that clash with each other or with the generic API', () => {
    expect(buildSchema([table('crate', true), table('crates')]).leftOut.map((out) => out.table)).toEqual(['crates']);
    expect(() => buildSchema([table('crate', true), table('crates', true)])).toThrow(SchemaNameCollision);
    expect(() => buildSchema([table('tables', true), table('widgets')])).toThrow(/"Query\.tables" of the typed field for table "tables" collides with the generic field Query\.tables/);
  });
});
