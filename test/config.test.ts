import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRethinkdbUrl } from '../src/config.js';

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

  it.each([
    ['http://db:28015', 'rethinkdb://'],
    ['not a url', 'is not a URL'],
    ['rethinkdb://db/a/b', 'single database name'],
    ['rethinkdb://db?x=1', 'query string'],
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

  it('seeds the demo by default only with the embedded database', () => {
    expect(loadConfig([], {})).toMatchObject({ demo: true });
    expect(loadConfig([], { RETHINKDB_URL: 'rethinkdb://h' })).toMatchObject({ demo: false });
    expect(loadConfig(['--demo'], { RETHINKDB_URL: 'rethinkdb://h' })).toMatchObject({ demo: true });
    expect(loadConfig(['--no-demo'], {})).toMatchObject({ demo: false });
    expect(loadConfig([], { DEMO: 'false' })).toMatchObject({ demo: false });
  });

  it('returns help for -h and --help', () => {
    expect(loadConfig(['-h'], {})).toBe('help');
    expect(loadConfig(['--help'], {})).toBe('help');
  });
});
