import type { Context } from '../graphql/context.js';
import type { TableInfo } from '../db/index.js';
import * as service from '../services/admin.js';
import { dbOf, type TableArgs } from './documents.js';

// GraphQL adapters onto src/services/admin.ts.

/** Every database for the admin role; for other roles those its rules name (or all, with a `*.…` pattern). */
export function databases(ctx: Context): Promise<string[]> {
  return service.listDatabases(ctx, ctx.identity);
}

/** The tables of a database the caller may use (all of them for the admin role). */
export function tables(ctx: Context, args: { db?: string | null }): Promise<TableInfo[]> {
  return service.listTables(ctx, ctx.identity, dbOf(ctx, args.db));
}

/** Needs `admin` on `<db>.*` (or the admin role). */
export async function createDatabase(ctx: Context, args: { db: string }): Promise<string> {
  await service.createDatabase(ctx, ctx.identity, args.db);
  return args.db;
}

export function createTable(ctx: Context, args: TableArgs & { primaryKey?: string | null }): Promise<TableInfo> {
  return service.createTable(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.primaryKey ?? 'id');
}

export function dropTable(ctx: Context, args: TableArgs): Promise<TableInfo> {
  return service.dropTable(ctx, ctx.identity, dbOf(ctx, args.db), args.table, ctx.loaders);
}

export function createIndex(ctx: Context, args: TableArgs & { field: string; name?: string | null }): Promise<TableInfo> {
  return service.createIndex(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.field, args.name ?? undefined);
}
