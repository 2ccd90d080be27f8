import type { Context } from '../context.js';
import type { ConflictMode, Document, InsertResult, OrderBy, UpdateOperators } from '../db/index.js';

/** Arguments every document field takes: the database (default: the configured one) and table. */
export interface TableArgs {
  db?: string | null;
  table: string;
}

export function dbOf(ctx: Context, db: string | null | undefined): string {
  return db ?? ctx.config.defaultDb;
}

export function document(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  return ctx.loaders.documentsOf(dbOf(ctx, args.db), args.table).load(args.id);
}

export async function documents(ctx: Context, args: TableArgs & { ids: readonly string[] }): Promise<(Document | null)[]> {
  if (args.ids.length > ctx.config.maxLimit) {
    // Checked here too: DataLoader would split an oversize list into batches instead of refusing it.
    return ctx.data.documents.getMany(dbOf(ctx, args.db), args.table, args.ids);
  }
  const loader = ctx.loaders.documentsOf(dbOf(ctx, args.db), args.table);
  const results = await loader.loadMany(args.ids);
  return results.map((result) => {
    if (result instanceof Error) throw result;
    return result;
  });
}

export interface ListArgs extends TableArgs {
  where?: Document | null;
  orderBy?: readonly OrderBy[] | null;
  limit?: number | null;
  offset?: number | null;
}

export function query(ctx: Context, args: ListArgs): Promise<Document[]> {
  return ctx.data.documents.list({ ...args, db: dbOf(ctx, args.db), orderBy: args.orderBy ?? undefined });
}

export function count(ctx: Context, args: TableArgs & { where?: Document | null }): Promise<number> {
  return ctx.data.documents.count(dbOf(ctx, args.db), args.table, args.where);
}

export async function insert(
  ctx: Context,
  args: TableArgs & { documents: readonly Document[]; conflict?: ConflictMode | null },
): Promise<InsertResult> {
  const db = dbOf(ctx, args.db);
  const { primaryKey } = await ctx.data.catalog.table(db, args.table);
  const result = await ctx.data.documents.insert(db, args.table, args.documents, args.conflict ?? 'error');
  for (const doc of result.documents) ctx.loaders.prime(db, args.table, String(doc[primaryKey]), doc);
  return result;
}

export async function update(ctx: Context, args: TableArgs & UpdateOperators & { id: string; patch?: Document | null }): Promise<Document> {
  const db = dbOf(ctx, args.db);
  const { inc, append, prepend, removeFromArray, unset, setIfMissing } = args;
  const operators = { inc, append, prepend, removeFromArray, unset, setIfMissing };
  const doc = await ctx.data.documents.update(db, args.table, args.id, args.patch, operators);
  ctx.loaders.prime(db, args.table, args.id, doc);
  return doc;
}

export async function replace(ctx: Context, args: TableArgs & { id: string; document: Document }): Promise<Document> {
  const db = dbOf(ctx, args.db);
  const doc = await ctx.data.documents.replace(db, args.table, args.id, args.document);
  ctx.loaders.prime(db, args.table, args.id, doc);
  return doc;
}

export async function remove(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  const db = dbOf(ctx, args.db);
  const doc = await ctx.data.documents.delete(db, args.table, args.id);
  ctx.loaders.prime(db, args.table, args.id, null);
  return doc;
}

export async function removeMany(ctx: Context, args: TableArgs & { where?: Document | null; all?: boolean | null }): Promise<number> {
  const db = dbOf(ctx, args.db);
  const deleted = await ctx.data.documents.deleteMany(db, args.table, args.where, args.all ?? false);
  ctx.loaders.clearTable(db, args.table);
  return deleted;
}
