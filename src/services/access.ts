import type { Identity } from '../auth/identity.js';
import { authorize, type TableAccess } from '../auth/permissions.js';
import type { Action } from '../auth/rules.js';
import type { SecurityConfig } from '../auth/settings.js';
import type { DataLayer, Loaders } from '../db/index.js';

/**
 * What the document and admin services use: the data layer and the settings that hold the
 * policy. A GraphQL `Context` has this shape, and so has the RDM translator's options: both ways
 * in hand their own over, no service is constructed per request.
 */
export interface ServiceDeps {
  readonly data: DataLayer;
  readonly config: {
    /** Who may do what (the PERMISSIONS setting). */
    readonly security: Pick<SecurityConfig, 'permissions'>;
    /** Most ids one read by id may ask for (DataLoader would split a longer list instead of refusing it). */
    readonly maxLimit: number;
  } & GatewayTables;
}

/** Where the gateway keeps its own tables: the channel events and the RDM audit trail. */
export interface GatewayTables {
  readonly eventsDb: string;
  readonly eventsTable: string;
  readonly rdmAuditDb: string;
  readonly rdmAuditTable: string;
}

/**
 * Whether `db.table` is one of the gateway's own tables (`table` `*`: a whole database holding
 * one). No wildcard pattern grants those: they hold every user's channel events and the audit
 * trail, so only a rule naming the table itself does.
 */
export function isGatewayTable(config: GatewayTables, db: string, table: string): boolean {
  const owns = (ownDb: string, ownTable: string) => db === ownDb && (table === ownTable || table === '*');
  return owns(config.eventsDb, config.eventsTable) || owns(config.rdmAuditDb, config.rdmAuditTable);
}

/** How one call runs, beside its arguments. */
export interface CallOptions {
  /**
   * The request's DataLoaders (GraphQL: created per request, never shared): reads by id go
   * through them and writes prime them. Absent (RDM keeps no cache): reads go to the data layer.
   */
  readonly loaders?: Loaders;
  /**
   * Runs once every check has passed, right before the operation proper reads or writes; if it
   * rejects, nothing is done. A refused call never runs it (the RDM audit trail is written here).
   */
  readonly accepted?: () => Promise<void>;
}

/**
 * The caller's access to a table for an action (Forbidden when its role may not): every
 * operation on documents — generic, typed, subscription or RDM — starts here.
 */
export function accessTo(deps: Pick<ServiceDeps, 'config'>, identity: Identity, db: string, table: string, action: Action): TableAccess {
  return authorize(deps.config.security.permissions, identity, db, table, action, isGatewayTable(deps.config, db, table));
}

/**
 * Permission first, then names: Forbidden unless `identity` may do `action` on `db.table`, then
 * NotFound when the table does not exist (with `tableMayBeMissing`, when the database does not).
 * For a protocol that answers a refusal before it reads the rest of a request (RDM), so a
 * refused caller learns nothing about which tables exist; the operation checks the permission
 * again itself (the same pure check, the same answer), so none can run without it.
 */
export async function admitTo(deps: ServiceDeps, identity: Identity, db: string, table: string, action: Action, tableMayBeMissing = false): Promise<void> {
  accessTo(deps, identity, db, table, action);
  if (tableMayBeMissing) await deps.data.catalog.tableList(db);
  else await deps.data.catalog.table(db, table);
}
