import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRethinkdbUrl } from '../src/config/config.js';

describe('RETHINKDB_URL', () => {
  it('parses user, password, host, port and db, with defaults', () => {
    expect(parseRethinkdbUrl('rethinkdb://alice:s%40cret@db.example:29015/game')).toEqual({
      target: { kind: 'external', host: 'db.example', port: 29015, user: 'alice', password: 's@cret' },
      db: 'game',
    });
    expect(parseRethinkdbUrl('rethinkdb://db.example')).toEqual({
      target: { kind: 'external', host: 'db.example', port: 28015, user: 'admin', password: '' },
      db: undefined,
    });
    expect(parseRethinkdbUrl('rethinkdb://[::1]:28016/x').target).toMatchObject({ host: '::1', port: 28016 });
  });

  it('takes several hosts (a cluster) sharing the credentials and the database, each with its own port', () => {
    expect(parseRethinkdbUrl('rethinkdb://alice:s%40cret@h1:28015,h2:29015,h3/game')).toEqual({
      target: {
        kind: 'external',
        host: 'h1',
        port: 28015,
        user: 'alice',
        password: 's@cret',
        hosts: [
          { host: 'h1', port: 28015 },
          { host: 'h2', port: 29015 },
          { host: 'h3', port: 28015 },
        ],
      },
      db: 'game',
    });
    expect(parseRethinkdbUrl('rethinkdb://[::1]:1,10.0.0.2').target.hosts).toEqual([
      { host: '::1', port: 1 },
      { host: '10.0.0.2', port: 28015 },
    ]);
    // The config file's key goes through the same parser.
    expect(loadConfig([], { RETHINKDB_URL: 'rethinkdb://a,b:1/x' })).toMatchObject({ defaultDb: 'x', database: { hosts: [{ host: 'a' }, { host: 'b', port: 1 }] } });
  });

  it.each([
    ['http://db:28015', 'rethinkdb://'],
    ['not a url', 'is not a URL'],
    ['rethinkdb://db/a/b', 'single database name'],
    ['rethinkdb://db?x=1', 'query string'],
    ['rethinkdb://a,,b', 'empty host at position 2'],
    ['rethinkdb://a:1,b,a:1', 'names the host a:1 twice'],
    ['rethinkdb://a,b:99999', 'is not a URL'],
  ])('rejects %s clearly', (url, message) => {
    expect(() => parseRethinkdbUrl(url)).toThrow(ConfigError);
    expect(() => parseRethinkdbUrl(url)).toThrow(message);
  });

  it('never repeats a password in an error', () => {
    expect(() => parseRethinkdbUrl('rethinkdb://u:topsecret@bad host')).toThrow(/u:\*\*\*@/);
  });
});

describe('loadConfig', () => {
  it('defaults to the embedded database on 127.0.0.1:4000, db test', () => {
    expect(loadConfig([], {})).toMatchObject({ host: '127.0.0.1', port: 4000, database: { kind: 'embedded' }, defaultDb: 'test', defaultLimit: 100, maxLimit: 1000 });
  });

  it('takes the db from the URL, and lets flags win over the environment', () => {
    const config = loadConfig(['--port', '5000'], { PORT: '6000', RETHINKDB_URL: 'rethinkdb://h/game' });
    expect(config).toMatchObject({ port: 5000, defaultDb: 'game', database: { kind: 'external', host: 'h' } });
  });

  it('accepts the RDM-era ReDB_* variables, with RETHINKDB_URL winning', () => {
    const env = { ReDB_HOST: 'old-host', ReDB_PORT: '28100', ReDB_USER: 'bob', ReDB_PASS: 'pw', ReDB_DEFAULT_DB: 'legacy' };
    expect(loadConfig([], env)).toMatchObject({
      database: { kind: 'external', host: 'old-host', port: 28100, user: 'bob', password: 'pw' },
      defaultDb: 'legacy',
    });
    expect(loadConfig([], { ...env, RETHINKDB_URL: 'rethinkdb://new-host' })).toMatchObject({ database: { host: 'new-host', port: 28015, user: 'admin' } });
  });

  it.each([
    [['--port', 'abc'], {}, '--port must be an integer'],
    [[], { MAX_LIMIT: '0' }, 'MAX_LIMIT must be an integer from 1'],
    [[], { DEFAULT_LIMIT: '500', MAX_LIMIT: '100' }, 'must not exceed'],
    [['--bogus'], {}, "Unknown option '--bogus'"],
    [[], { GRAPHIQL: 'maybe' }, 'GRAPHIQL must be true or false'],
  ])('rejects bad settings by name: %j %j', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(message);
  });

  it('bounds the replay window by events and age, and keeps queries open for a resume grace period', () => {
    expect(loadConfig([], {})).toMatchObject({ replayWindowEvents: 1000, replayWindowSeconds: 300, resumeGraceSeconds: 60 });
    expect(loadConfig(['--replay-window-events', '0'], { REPLAY_WINDOW_EVENTS: '50', REPLAY_WINDOW_SECONDS: '30', RESUME_GRACE_SECONDS: '0' })).toMatchObject({
      replayWindowEvents: 0,
      replayWindowSeconds: 30,
      resumeGraceSeconds: 0,
    });
    expect(() => loadConfig([], { REPLAY_WINDOW_SECONDS: '0' })).toThrow('REPLAY_WINDOW_SECONDS must be an integer from 1 to 86400 (got "0")');
    expect(() => loadConfig(['--resume-grace-seconds', 'soon'], {})).toThrow('--resume-grace-seconds must be an integer');
  });

  it('seeds the demo by default only with the embedded database', () => {
    expect(loadConfig([], {})).toMatchObject({ demo: true });
    expect(loadConfig([], { RETHINKDB_URL: 'rethinkdb://h' })).toMatchObject({ demo: false });
    expect(loadConfig(['--demo'], { RETHINKDB_URL: 'rethinkdb://h' })).toMatchObject({ demo: true });
    expect(loadConfig(['--no-demo'], {})).toMatchObject({ demo: false });
    expect(loadConfig([], { DEMO: 'false' })).toMatchObject({ demo: false });
  });

  it('has safe limits and development-friendly switches by default', () => {
    expect(loadConfig([], {})).toMatchObject({
      production: false,
      graphiql: true,
      introspection: true,
      corsOrigins: ['*'],
      maxDepth: 12,
      maxAliases: 100,
      maxTokens: 5000,
      maxCost: 5000,
      maxDirectives: 50,
    });
    expect(loadConfig(['--max-depth', '6'], { MAX_DEPTH: '8', MAX_COST: '900' })).toMatchObject({ maxDepth: 6, maxCost: 900 });
    expect(() => loadConfig([], { MAX_TOKENS: '10' })).toThrow('MAX_TOKENS must be an integer from 100');
  });

  it('turns GraphiQL, introspection and cross-origin requests off in production mode, unless set explicitly', () => {
    const off = { production: true, graphiql: false, introspection: false, corsOrigins: [] };
    expect(loadConfig(['--production'], {})).toMatchObject(off);
    expect(loadConfig([], { PRODUCTION: 'true' })).toMatchObject(off);
    expect(loadConfig([], { NODE_ENV: 'production' })).toMatchObject(off);
    expect(loadConfig([], { NODE_ENV: 'production', PRODUCTION: 'false' })).toMatchObject({ production: false, graphiql: true });
    expect(loadConfig(['--production', '--graphiql'], { INTROSPECTION: 'true', CORS_ORIGINS: '*' })).toMatchObject({
      graphiql: true,
      introspection: true,
      corsOrigins: ['*'],
    });
    expect(loadConfig(['--no-introspection'], { GRAPHIQL: 'false', CORS_ORIGINS: 'none' })).toMatchObject({ production: false, graphiql: false, introspection: false, corsOrigins: [] });
  });

  it('parses CORS_ORIGINS as a list of origins', () => {
    expect(loadConfig(['--cors-origins', 'https://a.example, http://localhost:3000'], {})).toMatchObject({ corsOrigins: ['https://a.example', 'http://localhost:3000'] });
    expect(() => loadConfig([], { CORS_ORIGINS: 'https://a.example/' })).toThrow('CORS_ORIGINS: "https://a.example/" is not an origin');
    expect(() => loadConfig([], { CORS_ORIGINS: 'a.example' })).toThrow('is not an origin');
    expect(() => loadConfig([], { CORS_ORIGINS: '*,https://a.example' })).toThrow('cannot be combined');
  });

  it('returns help for -h and --help', () => {
    expect(loadConfig(['-h'], {})).toBe('help');
    expect(loadConfig(['--help'], {})).toBe('help');
  });
});

describe('config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rethinkql-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads camelCase settings, below the environment and flags', () => {
    const path = file('ok.json', JSON.stringify({ port: 5555, rethinkdbUrl: 'rethinkdb://h:1/app', maxLimit: 50, graphiql: false, db: 'zz', replayWindowEvents: 20 }));
    expect(loadConfig(['--config', path], {})).toMatchObject({ port: 5555, maxLimit: 50, graphiql: false, defaultDb: 'zz', database: { host: 'h', port: 1 }, replayWindowEvents: 20 });
    expect(loadConfig([], { RETHINKQL_CONFIG: path, PORT: '7000' })).toMatchObject({ port: 7000, maxLimit: 50 });
    expect(loadConfig(['--config', path, '--port', '8000'], { PORT: '7000' })).toMatchObject({ port: 8000 });
  });

  it('names an unknown key, a bad value, bad JSON and a missing file', () => {
    expect(() => loadConfig(['--config', file('unknown.json', '{"prot": 1}')], {})).toThrow(/unknown setting "prot" \(known: .*port/);
    expect(() => loadConfig(['--config', file('nested.json', '{"port": {"a": 1}}')], {})).toThrow('"port" must be a string, number or boolean');
    expect(() => loadConfig(['--config', file('bad.json', '{port: 1}')], {})).toThrow(/bad\.json: .*JSON/);
    expect(() => loadConfig(['--config', file('array.json', '[]')], {})).toThrow('must hold a JSON object');
    expect(() => loadConfig(['--config', join(dir, 'missing.json')], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--config', file('limit.json', '{"maxLimit": -3}')], {})).toThrow('MAX_LIMIT must be an integer');
  });
});
