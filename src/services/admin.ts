import type { Identity } from '../auth/identity.js';
import { mayUse } from '../auth/permissions.js';
import { ADMIN_ROLE } from '../auth/rules.js';
import type { Loaders, TableInfo } from '../db/index.js';
import { Forbidden } from '../errors/domain.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';
import { accessTo, isGatewayTable, type CallOptions, type ServiceDeps } from './access.js';

// Databases, tables and indexes: listing shows a role what its rules name; changing them needs
// the `admin` action on the table (`<db>.*` for a database).

/** Every database for the admin role; for other roles those its rules name (or all, with a `*.…` pattern). */
export async function listDatabases(deps: ServiceDeps, identity: Identity): Promise<string[]> {
  const all = await deps.data.catalog.databases();
  if (identity.role === ADMIN_ROLE) return all;
  const patterns = [...(deps.config.security.permissions.get(identity.role)?.keys() ?? [])];
  if (patterns.some((pattern) => pattern.startsWith('*.'))) return all;
  return all.filter((db) => patterns.some((pattern) => pattern.startsWith(`${db}.`)));
}

/** The tables of a database the caller may use (all of them for the admin role); Forbidden for a database its rules do not name. */
export async function listTables(deps: ServiceDeps, identity: Identity, db: string): Promise<TableInfo[]> {
  if (identity.role !== ADMIN_ROLE && !(await listDatabases(deps, identity)).includes(db)) {
    throw new Forbidden(`role "${identity.role}" may not list the tables of ${db}`, { database: db });
  }
  const list = await deps.data.catalog.tableList(db);
  return list.filter((info) => mayUse(deps.config.security.permissions, identity, db, info.name, isGatewayTable(deps.config, db, info.name)));
}

/** Needs `admin` on `<db>.*` (or the admin role). */
export async function createDatabase(deps: ServiceDeps, identity: Identity, db: string): Promise<void> {
  accessTo(deps, identity, db, '*', 'admin');
  await deps.data.catalog.createDatabase(db);
}

/** Creates a table (primary key `id` unless given); needs `admin` on it. */
export async function createTable(
  deps: ServiceDeps,
  identity: Identity,
  db: string,
  table: string,
  primaryKey = 'id',
  { accepted }: Pick<CallOptions, 'accepted'> = {},
): Promise<TableInfo> {
  accessTo(deps, identity, db, table, 'admin');
  await accepted?.();
  return deps.data.catalog.createTable(db, table, primaryKey);
}

/** What dropping a table must reach beside the database: the hub ends the table's subscriptions. */
export interface DropTableDeps extends ServiceDeps {
  readonly subscriptions: Pick<SubscriptionHub, 'tableDropped'>;
}

/** Drops a table (needs `admin` on it); the request's cache of it is forgotten and its subscriptions end. */
export async function dropTable(deps: DropTableDeps, identity: Identity, db: string, table: string, loaders?: Loaders): Promise<TableInfo> {
  accessTo(deps, identity, db, table, 'admin');
  const info = await deps.data.catalog.dropTable(db, table);
  loaders?.clearTable(db, table);
  deps.subscriptions.tableDropped(db, table);
  return info;
}

/** Creates a secondary index on `field` (named after it unless `name`); needs `admin` on the table. */
export function createIndex(deps: ServiceDeps, identity: Identity, db: string, table: string, field: string, name?: string): Promise<TableInfo> {
  accessTo(deps, identity, db, table, 'admin');
  return deps.data.catalog.createIndex(db, table, field, name);
}
