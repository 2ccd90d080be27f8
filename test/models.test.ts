import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { parseModels, ModelsError } from '../src/models/declared.js';
import { inferFields } from '../src/models/infer.js';
import { fieldNameOf, tableNamesOf } from '../src/models/names.js';

describe('GraphQL names of tables and fields', () => {
  it.each([
    ['players', { type: 'Player', one: 'player', many: 'players' }],
    ['boards', { type: 'Board', one: 'board', many: 'boards' }],
    ['game_scores', { type: 'GameScore', one: 'gameScore', many: 'gameScores' }],
    ['categories', { type: 'Category', one: 'category', many: 'categories' }],
    ['boxes', { type: 'Box', one: 'box', many: 'boxes' }],
    ['classes', { type: 'Class', one: 'class', many: 'classes' }],
    ['status', { type: 'Status', one: 'status', many: 'statusList' }],
    ['player', { type: 'Player', one: 'player', many: 'playerList' }],
    ['t_1_2', { type: 'T_1_2', one: 't_1_2', many: 't_1_2List' }],
    ['t_12', { type: 'T_12', one: 't_12', many: 't_12List' }],
    ['bad-name', { type: 'BadName', one: 'badName', many: 'badNameList' }],
    ['high-scores', { type: 'HighScore', one: 'highScore', many: 'highScores' }],
  ])('%s', (table, names) => {
    expect(tableNamesOf(table)).toEqual(names);
  });

  it.each([
    ['score', 'score'],
    ['first-name', 'first_name'],
    ['2fa', '_2fa'],
    ['__proto', 'x__proto'],
    ['a.b c', 'a_b_c'],
    ['', '_'],
  ])('key %j becomes field %s', (key, name) => {
    expect(fieldNameOf(key)).toBe(name);
  });
});

describe('inference rules', () => {
  it('widens Int+Float to Float and DateTime+String to String; anything else that disagrees is JSON', () => {
    const fields = inferFields([
      { n: 1, t: '2026-01-01T00:00:00Z', x: true, l: [1], o: { a: 1 } },
      { n: 1.5, t: 'soon', x: 'yes', l: [2.5, null], o: { a: 'z', b: null } },
    ]);
    expect(Object.fromEntries(fields.map((f) => [f.key, f.type]))).toEqual({
      n: { kind: 'scalar', name: 'Float' },
      t: { kind: 'scalar', name: 'String' },
      x: { kind: 'scalar', name: 'JSON' },
      l: { kind: 'list', of: { kind: 'scalar', name: 'Float' } },
      o: { kind: 'object', fields: [
        { key: 'a', type: { kind: 'scalar', name: 'JSON' }, required: false },
        { key: 'b', type: { kind: 'scalar', name: 'JSON' }, required: false },
      ] },
    });
    expect(fields.every((f) => !f.required)).toBe(true);
  });
});

describe('declared models', () => {
  it.each([
    [{ tables: { p: { fields: { a: 'Strng' } } } }, /tables\.p\.a: unknown type "Strng"/],
    [{ tables: { p: { fields: { a: { type: 'enum' } } } } }, /tables\.p\.a: an enum needs "values"/],
    [{ tables: { p: { fields: { a: { type: 'Float', pointer: 'q' } } } } }, /tables\.p\.a: a pointer holds a primary key/],
    [{ tables: { p: { fields: { a: { type: 'ID', reverse: 'ps' } } } } }, /tables\.p\.a: "reverse" needs "pointer"/],
    [{ tables: { p: { fields: { a: { type: 'String', requird: true } } } } }, /tables\.p\.a: unknown key "requird"/],
    [{ tables: { p: { fields: { id: 'String' } } } }, /tables\.p: the primary key "id" is always an ID/],
    [{ tables: { '1p': { fields: {} } } }, /tables\.1p: invalid table name/],
    [{ table: {} }, /expected \{"tables"/],
    [{ tables: { p: { fields: { a: { type: 'enum', values: ['yes', 'null'] } } } } }, /tables\.p\.a: "null" cannot be an enum value/],
  ])('refuses %j, naming the entry', (raw, message) => {
    expect(() => parseModels(raw, 'models')).toThrow(ModelsError);
    expect(() => parseModels(raw, 'models')).toThrow(message);
  });

  it('refuses a pointer to a table it does not declare', () => {
    expect(() => parseModels({ tables: { p: { fields: { q: { type: 'ID', pointer: 'nowhere' } } } } }, 'models')).toThrow(
      /tables\.p\.q: points to table "nowhere", which is not declared/,
    );
  });

  describe('as a setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rethinkql-models-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is read from --models-file, MODELS_FILE or the config file key modelsFile', () => {
      const path = join(dir, 'models.json');
      writeFileSync(path, JSON.stringify({ tables: { players: { fields: { score: 'Int' } } } }));
      const configFile = join(dir, 'config.json');
      writeFileSync(configFile, JSON.stringify({ modelsFile: path }));
      for (const config of [loadConfig(['--models-file', path], {}), loadConfig([], { MODELS_FILE: path }), loadConfig(['--config', configFile], {})]) {
        expect(config).toMatchObject({ modelsFile: path, models: [{ table: 'players', declared: true, fields: [{ key: 'score', required: false }] }] });
      }
      expect(loadConfig([], {})).toMatchObject({ modelsFile: undefined, models: [], schemaSampleSize: 100, schemaRefreshMs: 5000 });
    });

    it('fails the start with a ConfigError naming the file and the entry', () => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, JSON.stringify({ tables: { players: { fields: { score: 'Integer' } } } }));
      expect(() => loadConfig(['--models-file', path], {})).toThrow(ConfigError);
      expect(() => loadConfig(['--models-file', path], {})).toThrow(`models file ${path}: tables.players.score: unknown type "Integer"`);
      expect(() => loadConfig(['--models-file', join(dir, 'missing.json')], {})).toThrow(/models file .*missing\.json: ENOENT/);
    });

    it('checks the sample size and refresh interval', () => {
      expect(loadConfig(['--schema-sample-size', '0', '--schema-refresh-ms', '0'], {})).toMatchObject({ schemaSampleSize: 0, schemaRefreshMs: 0 });
      expect(() => loadConfig([], { SCHEMA_SAMPLE_SIZE: '-1' })).toThrow(/SCHEMA_SAMPLE_SIZE must be an integer/);
      expect(() => loadConfig(['--schema-refresh-ms', 'often'], {})).toThrow(/--schema-refresh-ms must be an integer/);
    });
  });
});
