import { ConfigError, integer } from './setting.js';

/** Where the gateway's RethinkDB lives. */
export type DatabaseTarget =
  | { kind: 'embedded' }
  | { kind: 'external'; host: string; port: number; user: string; password: string };

/** An external database, and the database its URL names, if any. */
export interface DatabaseUrl {
  target: DatabaseTarget & { kind: 'external' };
  db?: string;
}

/** Parses `rethinkdb://[user[:password]@]host[:port][/db]`. Throws ConfigError (never repeating the password). */
export function parseRethinkdbUrl(text: string): DatabaseUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`RETHINKDB_URL "${redactUrl(text)}" is not a URL; expected rethinkdb://[user[:password]@]host[:port][/db]`);
  }
  if (url.protocol !== 'rethinkdb:') {
    throw new ConfigError(`RETHINKDB_URL must start with rethinkdb:// (got "${url.protocol}//")`);
  }
  if (!url.hostname) throw new ConfigError('RETHINKDB_URL has no host');
  if (url.search || url.hash) throw new ConfigError('RETHINKDB_URL must not have a query string or fragment');
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (path.includes('/')) throw new ConfigError(`RETHINKDB_URL path must be a single database name (got "${path}")`);
  return {
    target: {
      kind: 'external',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : 28015,
      user: url.username ? decodeURIComponent(url.username) : 'admin',
      password: decodeURIComponent(url.password),
    },
    db: path || undefined,
  };
}

function redactUrl(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * The database of the RDM-era variables (ReDB_HOST, ReDB_PORT, ReDB_USER, ReDB_PASS), read only
 * when RETHINKDB_URL is unset; undefined when neither ReDB_HOST nor ReDB_PORT is set. RDM's
 * 0.0.0.0 means this machine.
 */
export function legacyDatabase(env: Readonly<Record<string, string | undefined>>): DatabaseUrl | undefined {
  if (!env.ReDB_HOST && !env.ReDB_PORT) return undefined;
  return {
    target: {
      kind: 'external',
      host: env.ReDB_HOST && env.ReDB_HOST !== '0.0.0.0' ? env.ReDB_HOST : '127.0.0.1',
      port: env.ReDB_PORT ? integer(1, 65535)(env.ReDB_PORT, 'ReDB_PORT') : 28015,
      user: env.ReDB_USER || 'admin',
      password: env.ReDB_PASS ?? '',
    },
  };
}
