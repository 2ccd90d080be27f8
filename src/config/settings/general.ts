import { parseRethinkdbUrl } from '../database.js';
import { ConfigError, boolean, integer, settings, text } from '../setting.js';

/** The config file itself: read first, so it is no key of the file. */
export const CONFIG_FILE = settings({
  config: {
    env: 'RETHINKQL_CONFIG',
    file: false,
    arg: '<file>',
    parse: text,
    fallback: undefined,
    help: ['JSON file of settings in camelCase, e.g. {"port": 4000,', '"rethinkdbUrl": "rethinkdb://db:28015/app"} {env}'],
  },
});

/** Where the gateway listens, which database it uses, list sizes and subscriptions. */
export const GENERAL = settings({
  host: { arg: '<addr>', empty: 'value', parse: text, fallback: '127.0.0.1', help: ['address to listen on {env} (default {default})'] },
  port: { arg: '<n>', parse: integer(0, 65535), fallback: 4000, help: ['HTTP port, 0 = any free port {env} (default {default})'] },
  graphqlPath: {
    arg: '<path>',
    empty: 'value',
    parse: (raw: string, _name: string, env: string): string => {
      if (!/^\/[\w\-/]*$/.test(raw)) throw new ConfigError(`${env} must be a path like /graphql (got "${raw}")`);
      return raw;
    },
    fallback: '/graphql',
    help: ['GraphQL endpoint path {env} (default {default})'],
  },
  rethinkdbUrl: {
    arg: '<url>',
    empty: 'unset',
    parse: parseRethinkdbUrl,
    fallback: undefined,
    help: [
      'rethinkdb://[user[:password]@]host[:port][,host[:port]...][/db] {env}',
      '(default: embedded reqlite; RDM aliases: ReDB_HOST, ReDB_PORT,',
      'ReDB_USER, ReDB_PASS, ReDB_DEFAULT_DB)',
    ],
  },
  db: { env: 'RETHINKDB_DB', arg: '<name>', empty: 'value', parse: text, fallback: undefined, help: ['default database {env} (default test)'] },
  defaultLimit: { arg: '<n>', parse: integer(1, 100_000), fallback: undefined, help: ['rows per list query when no limit is given {env} (default 100)'] },
  maxLimit: { arg: '<n>', parse: integer(1, 100_000), fallback: 1000, help: ['largest limit a client may ask for {env} (default {default})'] },
  poolSize: { arg: '<n>', parse: integer(1, 64), fallback: 4, help: ['database connections for queries {env} (default {default})'] },
  /** Also the largest RDM packet. */
  maxBodyBytes: { arg: '<n>', parse: integer(1024, 1_073_741_824), fallback: 1_048_576, help: ['largest request body {env} (default {default})'] },
  dbWaitMs: {
    arg: '<n>',
    parse: integer(0, 600_000),
    fallback: 5000,
    help: [
      'how long a query waits for the database before the first connection,',
      'then fails with UNAVAILABLE; once connected and lost, queries fail at once {env} (default {default})',
    ],
  },
  /** A deadline, not a wish: the process exits when it passes even if a connection or a write still hangs. */
  shutdownTimeoutMs: {
    arg: '<n>',
    parse: integer(100, 600_000),
    fallback: 10_000,
    help: ['how long a graceful shutdown (SIGTERM, SIGINT) may take before', 'the process exits anyway; a second signal exits at once {env} (default {default})'],
  },
  /** Too slow: a `changes` subscriber gets SUBSCRIBER_TOO_SLOW and is ended, a `live` one skips to the newest result. */
  subscriberQueueSize: {
    arg: '<n>',
    parse: integer(1, 1_000_000),
    fallback: 1000,
    help: ['events a slow subscriber may have waiting before it is ended', '(changes) or skips to the newest result (live)', '{env} (default {default})'],
  },
  replayWindowEvents: {
    arg: '<n>',
    parse: integer(0, 1_000_000),
    fallback: 1000,
    help: ['events each changes/liveChanges query keeps so reconnecting', 'clients can resume, 0 = resume always RESETs', '{env} (default {default})'],
  },
  replayWindowSeconds: { arg: '<n>', parse: integer(1, 86_400), fallback: 300, help: ['oldest event kept for resuming {env}', '(default {default})'] },
  resumeGraceSeconds: {
    arg: '<n>',
    parse: integer(0, 86_400),
    fallback: 60,
    help: [
      'how long a changes/liveChanges query and its feed stay open',
      'after the last subscriber left, so a reconnecting client can',
      'resume; 0 = close at once {env} (default {default})',
    ],
  },
  demo: {
    switch: 'both',
    parse: boolean,
    fallback: undefined,
    help: ['seed a small leaderboard (boards, players) {env}', '(default: on with the embedded database only)'],
  },
});
