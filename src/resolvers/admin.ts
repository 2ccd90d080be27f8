import type { Context } from '../context.js';
import type { TableInfo } from '../db/index.js';
import { dbOf, type TableArgs } from './documents.js';

export function databases(ctx: Context): Promise<string[]> {
  return ctx.data.catalog.databases();
}

export function tables(ctx: Context, args: { db?: string | null }): Promise<TableInfo[]> {
  return ctx.data.catalog.tableList(dbOf(ctx, args.db));
}

export async function createDatabase(ctx: Context, args: { db: string }): Promise<string> {
  await ctx.data.catalog.createDatabase(args.db);
  return args.db;
}

export function createTable(ctx: Context, args: TableArgs & { primaryKey?: string | null }): Promise<TableInfo> {
  return ctx.data.catalog.createTable(dbOf(ctx, args.db), args.table, args.primaryKey ?? 'id');
}

export async function dropTable(ctx: Context, args: TableArgs): Promise<TableInfo> {
  const db = dbOf(ctx, args.db);
  const info = await ctx.data.catalog.dropTable(db, args.table);
  ctx.loaders.clearTable(db, args.table);
  ctx.subscriptions.tableDropped(db, args.table);
  return info;
}

export function createIndex(ctx: Context, args: TableArgs & { field: string; name?: string | null }): Promise<TableInfo> {
  return ctx.data.catalog.createIndex(dbOf(ctx, args.db), args.table, args.field, args.name ?? undefined);
}
