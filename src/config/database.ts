import { ConfigError, integer } from './setting.js';

/** One RethinkDB server of a cluster. */
export interface HostAddress {
  host: string;
  port: number;
}

/**
 * Where the gateway's RethinkDB lives. `host`/`port` is the first server; `hosts` lists every
 * server of a cluster URL (the first included) and is absent when one server is given.
 */
export type DatabaseTarget =
  | { kind: 'embedded' }
  | { kind: 'external'; host: string; port: number; user: string; password: string; hosts?: readonly HostAddress[] };

/** An external database, and the database its URL names, if any. */
export interface DatabaseUrl {
  target: DatabaseTarget & { kind: 'external' };
  db?: string;
}

/**
 * Parses `rethinkdb://[user[:password]@]host[:port][,host[:port]...][/db]`: several hosts (a
 * cluster) share the credentials and the database, and each has its own port (default 28015).
 * Throws ConfigError naming what is wrong (never repeating the password).
 */
export function parseRethinkdbUrl(text: string): DatabaseUrl {
  // WHATWG URLs take one host: split a host list and parse one URL per host.
  const [, prefix = '', authority = '', rest = ''] = /^(rethinkdb:\/\/(?:[^@/]*@)?)([^/?#]*)(.*)$/s.exec(text) ?? [];
  if (!authority.includes(',')) return parseOneHostUrl(text);
  const parts = authority.split(',').map((hostPart, index) => {
    if (!hostPart) throw new ConfigError(`RETHINKDB_URL has an empty host at position ${index + 1} of its host list`);
    return parseOneHostUrl(prefix + hostPart + rest);
  });
  const first = parts[0] as DatabaseUrl;
  const hosts = parts.map(({ target }) => ({ host: target.host, port: target.port }));
  const seen = new Set<string>();
  for (const { host, port } of hosts) {
    if (seen.has(`${host}:${port}`)) throw new ConfigError(`RETHINKDB_URL names the host ${host}:${port} twice`);
    seen.add(`${host}:${port}`);
  }
  return { target: { ...first.target, hosts }, db: first.db };
}

function parseOneHostUrl(text: string): DatabaseUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`RETHINKDB_URL "${redactUrl(text)}" is not a URL; expected rethinkdb://[user[:password]@]host[:port][,host[:port]...][/db]`);
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
