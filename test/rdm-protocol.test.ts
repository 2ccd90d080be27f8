import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, type Config } from '../src/config/config.js';
import { matchesWhere } from '../src/filter/evaluate.js';
import { parseWhere } from '../src/filter/parse.js';
import { BadInput } from '../src/errors/domain.js';
import { parseRdmFilter, rdmFilterToWhere } from '../src/rdm/filter.js';
import { errorReply, operationOf, serializeRdmReply } from '../src/rdm/protocol.js';
import { parsePythonLiteral } from '../src/rdm/python-literal.js';

describe('Python literals', () => {
  it.each([
    ["{'races': 1, 'ok': True}", { races: 1, ok: true }],
    ['{"a": None, \'b\': False, "c": [1, -2.5, 3e2, .5, 1_000]}', { a: null, b: false, c: [1, -2.5, 300, 0.5, 1000] }],
    ["{u'name': u'Ada', 'nested': {'list': [{'x': 1}, []], 'empty': {}},}", { name: 'Ada', nested: { list: [{ x: 1 }, []], empty: {} } }],
    ["{'q': 'it\\'s \"quoted\"', 'esc': '\\n\\t\\x41\\u00e9\\101', 'raw': r'\\d+'}", { q: 'it\'s "quoted"', esc: '\n\tAé\x41', raw: '\\d+' }],
    ["  { }  ", {}],
    ["{'__proto__': {'polluted': True}}", JSON.parse('{"__proto__": {"polluted": true}}') as unknown],
  ])('parses %s', (text, expected) => {
    expect(parsePythonLiteral(text)).toEqual(expected);
  });

  it('keeps a __proto__ key as data and pollutes nothing', () => {
    const parsed = parsePythonLiteral("{'__proto__': {'polluted': True}}") as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["__import__('os').system('id')", '__import__'],
    ["{'a': open('/etc/passwd').read()}", 'open'],
    ["{'a': 1 + 1}", 'expected'],
    ["{'a': (1, 2)}", 'unexpected'],
    ["{1: 'a'}", 'keys must be strings'],
    ["{'a': true}", 'true'],
    ["{'a': 'unterminated}", 'unterminated'],
    ["{'a': 1} {'b': 2}", 'after the value'],
    ["{'a': 0x10}", 'expected'],
    ["{'a': 1e999}", 'out of range'],
    ['', 'unexpected end'],
    [`${'['.repeat(40)}${']'.repeat(40)}`, 'deeper'],
  ])('refuses %s without evaluating it', (text, named) => {
    expect(() => parsePythonLiteral(text)).toThrow(BadInput);
    expect(() => parsePythonLiteral(text)).toThrow(named);
  });
});

describe('RDM filters', () => {
  it('accepts a JSON string, a Python-literal string and an object, and nothing else', () => {
    expect(parseRdmFilter('{"races": 1}')).toEqual({ races: 1 });
    expect(parseRdmFilter("{'races': 1}")).toEqual({ races: 1 });
    expect(parseRdmFilter({ races: 1 })).toEqual({ races: 1 });
    for (const bad of ['[1]', '1', 'None', 5, [], null]) expect(() => parseRdmFilter(bad)).toThrow(BadInput);
  });

  it('flattens nested dicts into dotted-path equality', () => {
    expect(rdmFilterToWhere({ a: 1, b: { c: 'x', d: { e: [1, { f: 2 }] } } })).toEqual({ a: 1, 'b.c': 'x', 'b.d.e': [1, { f: 2 }] });
    expect(rdmFilterToWhere({})).toEqual({});
  });

  it('matches like RethinkDB filter(dict): nested dicts as subsets, arrays and scalars by equality, missing fields never', () => {
    const matches = (filter: Record<string, unknown>, doc: Record<string, unknown>) =>
      matchesWhere(parseWhere(rdmFilterToWhere(filter)) ?? { kind: 'and', nodes: [] }, doc);
    const doc = { id: 1, team: { name: 'red', size: 3, tags: ['a', 'b'] }, gone: null };
    expect(matches({ team: { name: 'red' } }, doc)).toBe(true);
    expect(matches({ team: { name: 'red', size: 4 } }, doc)).toBe(false);
    expect(matches({ team: { tags: ['a'] } }, doc)).toBe(false);
    expect(matches({ team: { tags: ['a', 'b'] } }, doc)).toBe(true);
    expect(matches({ missing: 1 }, doc)).toBe(false);
    expect(matches({ team: {} }, doc)).toBe(true);
    expect(matches({ gone: {} }, doc)).toBe(true);
    expect(matches({ missing: {} }, doc)).toBe(false);
    expect(matches({ gone: null }, doc)).toBe(true);
  });

  it.each([[{ 'a.b': 1 }], [{ '': 1 }], [{ and: [] }], [{ not: {} }], [{ x: { 'y.z': 1 } }]])('refuses keys the where language cannot express: %j', (filter) => {
    expect(() => rdmFilterToWhere(filter)).toThrow(BadInput);
  });
});

describe('envelope and replies', () => {
  it('knows exactly the operation paths', () => {
    expect(operationOf('/insert')).toBe('insert');
    expect(operationOf('/create_table')).toBe('create_table');
    for (const path of ['/', '/insert/', 'insert', '/Insert', '/insert?x=1', '/__proto__', '/constructor']) expect(operationOf(path)).toBeUndefined();
  });

  it("keeps RDM's error text byte for byte", () => {
    expect(errorReply('/insert', { code: 'NOT_FOUND', message: 'm' }).response_message).toBe(
      '[ERROR] Some error was faced while trying to execute your operation. Verify the Rethink Data Manager (RDM) logs!\nparams::path = /insert\nparams::operation = insert',
    );
  });

  it('serialises like Python json.dumps', () => {
    const text = serializeRdmReply({ status_code: 200, response_message: { s: 'é\u007f"\n', n: [1, 2.5, 1e21, 1e-7, -0.001], b: true, z: null } });
    expect(text).toBe('{"status_code": 200, "response_message": {"s": "\\u00e9\\u007f\\"\\n", "n": [1, 2.5, 1e+21, 1e-07, -0.001], "b": true, "z": null}}');
  });
});

describe('RDM settings', () => {
  const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(argv, env) as Config;

  it('defaults: legacy listener on 8765 at the gateway host, audit on in AUDIT.rethink_data_manager', () => {
    expect(load({})).toMatchObject({ wsHost: '127.0.0.1', wsPort: 8765, rdmAudit: true, rdmAuditDb: 'AUDIT', rdmAuditTable: 'rethink_data_manager', rdmMaxRows: 100_000 });
    expect(load({ HOST: '0.0.0.0', INSECURE: 'true' }).wsHost).toBe('0.0.0.0');
  });

  it('reads the RDM-era variables and the flags (flags win)', () => {
    const env = { WS_HOST: '0.0.0.0', INSECURE: 'true', WS_PORT: '9000', ReDB_AUDIT_DB: 'trail_db', ReDB_AUDIT_TABLE: 'trail', RDM_AUDIT: 'false', RDM_MAX_ROWS: '50' };
    expect(load(env)).toMatchObject({ wsHost: '0.0.0.0', wsPort: 9000, rdmAudit: false, rdmAuditDb: 'trail_db', rdmAuditTable: 'trail', rdmMaxRows: 50 });
    expect(load(env, ['--ws-port', '0', '--ws-host', '::1', '--rdm-audit-table', 'other'])).toMatchObject({ wsPort: 0, wsHost: '::1', rdmAuditTable: 'other' });
    expect(load({}, ['--no-rdm-audit']).rdmAudit).toBe(false);
  });

  it('leaves the legacy listener off in defaultConfig (tests, embedding) unless asked for', () => {
    expect(defaultConfig().wsPort).toBeNull();
    expect(defaultConfig({ wsPort: 0 }).wsPort).toBe(0);
  });

  it('lets the gateway names win over the RDM aliases for the audit trail', () => {
    const env = { ReDB_AUDIT_DB: 'rdm_db', ReDB_AUDIT_TABLE: 'rdm_table' };
    expect(load(env)).toMatchObject({ rdmAuditDb: 'rdm_db', rdmAuditTable: 'rdm_table' });
    expect(load({ ...env, RDM_AUDIT_DB: 'gw_db', RDM_AUDIT_TABLE: 'gw_table' })).toMatchObject({ rdmAuditDb: 'gw_db', rdmAuditTable: 'gw_table' });
  });

  it('reads the RDM settings from a config file in camelCase', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rethinkql-rdm-'));
    try {
      const path = join(dir, 'settings.json');
      writeFileSync(path, JSON.stringify({ wsHost: '0.0.0.0', wsPort: 'off', rdmAudit: false, rdmAuditDb: 'trail_db', rdmAuditTable: 'trail', rdmMaxRows: 10 }));
      expect(load({ RETHINKQL_CONFIG: path })).toMatchObject({ wsHost: '0.0.0.0', wsPort: null, rdmAudit: false, rdmAuditDb: 'trail_db', rdmAuditTable: 'trail', rdmMaxRows: 10 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns the legacy listener off with WS_PORT=off', () => {
    expect(load({ WS_PORT: 'off' }).wsPort).toBeNull();
    expect(load({}, ['--ws-port', 'off']).wsPort).toBeNull();
  });

  it.each([
    [{ WS_PORT: '70000' }, 'WS_PORT'],
    [{ WS_PORT: 'eighty' }, 'WS_PORT'],
    [{ ReDB_AUDIT_DB: 'bad-name' }, 'ReDB_AUDIT_DB'],
    [{ RDM_AUDIT_DB: 'bad-name' }, 'RDM_AUDIT_DB'],
    [{ ReDB_AUDIT_TABLE: '1st' }, 'ReDB_AUDIT_TABLE'],
    [{ ReDB_AUDIT_DB: 'rethinkdb' }, 'ReDB_AUDIT_DB'],
    [{ RDM_AUDIT: 'maybe' }, 'RDM_AUDIT'],
  ])('refuses %j naming the setting', (env, named) => {
    expect(() => loadConfig([], env)).toThrow(ConfigError);
    expect(() => loadConfig([], env)).toThrow(named);
  });
});
