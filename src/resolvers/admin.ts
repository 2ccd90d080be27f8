import { mayUse } from '../auth/permissions.js';
import { ADMIN_ROLE } from '../auth/rules.js';
import type { Context } from '../graphql/context.js';
import type { TableInfo } from '../db/index.js';
import { Forbidden } from '../errors/domain.js';
import { accessTo, dbOf, type TableArgs } from './documents.js';

/** Every database for the admin role; for other roles those its rules name (or all, with a `*.…` pattern). */
export async function databases(ctx: Context): Promise<string[]> {
  const all = await ctx.data.catalog.databases();
  if (ctx.identity.role === ADMIN_ROLE) return all;
  const patterns = [...(ctx.config.security.permissions.get(ctx.identity.role)?.keys() ?? [])];
  if (patterns.some((pattern) => pattern.startsWith('*.'))) return all;
  return all.filter((db) => patterns.some((pattern) => pattern.startsWith(`${db}.`)));
}

/** The tables of a database the caller may use (all of them for the admin role). */
export async function tables(ctx: Context, args: { db?: string | null }): Promise<TableInfo[]> {
  const db = dbOf(ctx, args.db);
  if (ctx.identity.role !== ADMIN_ROLE && !(await databases(ctx)).includes(db)) {
    throw new Forbidden(`role "${ctx.identity.role}" may not list the tables of ${db}`, { database: db });
  }
  const list = await ctx.data.catalog.tableList(db);
  return list.filter((info) => mayUse(ctx.config.security.permissions, ctx.identity, db, info.name));
}

/** Needs `admin` on `<db>.*` (or the admin role). */
export async function createDatabase(ctx: Context, args: { db: string }): Promise<string> {
  accessTo(ctx, args.db, '*', 'admin');
  await ctx.data.catalog.createDatabase(args.db);
  return args.db;
}

export function createTable(ctx: Context, args: TableArgs & { primaryKey?: string | null }): Promise<TableInfo> {
  const db = dbOf(ctx, args.db);
  accessTo(ctx, db, args.table, 'admin');
  return ctx.data.catalog.createTable(db, args.table, args.primaryKey ?? 'id');
}

export async function dropTable(ctx: Context, args: TableArgs): Promise<TableInfo> {
  const db = dbOf(ctx, args.db);
  accessTo(ctx, db, args.table, 'admin');
  const info = await ctx.data.catalog.dropTable(db, args.table);
  ctx.loaders.clearTable(db, args.table);
  ctx.subscriptions.tableDropped(db, args.table);
  return info;
}

export function createIndex(ctx: Context, args: TableArgs & { field: string; name?: string | null }): Promise<TableInfo> {
  const db = dbOf(ctx, args.db);
  accessTo(ctx, db, args.table, 'admin');
  return ctx.data.catalog.createIndex(db, args.table, args.field, args.name ?? undefined);
}
