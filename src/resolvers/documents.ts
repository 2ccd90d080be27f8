import { authorize, type TableAccess } from '../auth/permissions.js';
import type { Action } from '../auth/rules.js';
import type { Context } from '../graphql/context.js';
import { operatorFields, type ConflictMode, type Document, type InsertResult, type OrderBy, type UpdateOperators } from '../db/index.js';
import { Forbidden, NotFound } from '../errors/domain.js';

/** Arguments every document field takes: the database (default: the configured one) and table. */
export interface TableArgs {
  db?: string | null;
  table: string;
}

export function dbOf(ctx: Context, db: string | null | undefined): string {
  return db ?? ctx.config.defaultDb;
}

/**
 * The caller's access to a table for an action (Forbidden when the role may not): every
 * resolver that touches documents — generic, typed or subscription — starts here.
 */
export function accessTo(ctx: Context, db: string, table: string, action: Action): TableAccess {
  return authorize(ctx.config.security.permissions, ctx.identity, db, table, action);
}

export async function document(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'read');
  const doc = await ctx.loaders.documentsOf(db, args.table).load(args.id);
  // A document outside the row rule is indistinguishable from a missing one.
  return doc && access.allows(doc) ? access.strip(doc) : null;
}

export async function documents(ctx: Context, args: TableArgs & { ids: readonly string[] }): Promise<(Document | null)[]> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'read');
  let found: (Document | null)[];
  if (args.ids.length > ctx.config.maxLimit) {
    // Checked here too: DataLoader would split an oversize list into batches instead of refusing it.
    found = await ctx.data.documents.getMany(db, args.table, args.ids);
  } else {
    const results = await ctx.loaders.documentsOf(db, args.table).loadMany(args.ids);
    found = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
  }
  return found.map((doc) => (doc && access.allows(doc) ? access.strip(doc) : null));
}

export interface ListArgs extends TableArgs {
  where?: Document | null;
  orderBy?: readonly OrderBy[] | null;
  limit?: number | null;
  offset?: number | null;
}

export async function query(ctx: Context, args: ListArgs): Promise<Document[]> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'read');
  access.checkReads(args.where, args.orderBy?.map((order) => order.field));
  const docs = await ctx.data.documents.list({ ...args, db, where: access.restrict(args.where), orderBy: args.orderBy ?? undefined });
  return docs.map((doc) => access.strip(doc));
}

export function count(ctx: Context, args: TableArgs & { where?: Document | null }): Promise<number> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'read');
  access.checkReads(args.where);
  return ctx.data.documents.count(db, args.table, access.restrict(args.where));
}

export async function insert(
  ctx: Context,
  args: TableArgs & { documents: readonly Document[]; conflict?: ConflictMode | null },
): Promise<InsertResult> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'insert');
  // An upsert may overwrite an existing document: it needs update permission as well, and is
  // refused to roles with a row rule (it could overwrite a row outside the rule).
  if (args.conflict === 'replace' || args.conflict === 'update') {
    accessTo(ctx, db, args.table, 'update');
    if (access.rows !== undefined) {
      throw new Forbidden(`role "${ctx.identity.role}" has a row rule on ${db}.${args.table}: insert with conflict ${args.conflict.toUpperCase()} is not allowed, use update`, {
        database: db,
        table: args.table,
      });
    }
  }
  args.documents.forEach((doc, i) => access.checkWrite(doc, `document ${i}`, doc));
  const { primaryKey } = await ctx.data.catalog.table(db, args.table);
  const result = await ctx.data.documents.insert(db, args.table, args.documents, args.conflict ?? 'error');
  for (const doc of result.documents) ctx.loaders.prime(db, args.table, String(doc[primaryKey]), doc);
  return { ...result, documents: result.documents.map((doc) => access.strip(doc)) };
}

/**
 * The document a row-ruled write may touch: NotFound when it is missing OR outside the rule
 * (the caller cannot tell which). Unrestricted roles skip the read. Updates and replaces pass
 * the rule to the data layer too, which checks it atomically with the write; this read is for
 * checking the RESULT against the rule (and for deletes, see `remove`).
 */
async function writableDocument(ctx: Context, access: TableAccess, db: string, table: string, id: string): Promise<Document | null> {
  if (access.rows === undefined) return null;
  const [doc] = await ctx.data.documents.getMany(db, table, [id]);
  if (!doc || !access.allows(doc)) throw new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
  return doc;
}

export async function update(ctx: Context, args: TableArgs & UpdateOperators & { id: string; patch?: Document | null }): Promise<Document> {
  const db = dbOf(ctx, args.db);
  const { inc, append, prepend, removeFromArray, unset, setIfMissing, patch } = args;
  const operators = { inc, append, prepend, removeFromArray, unset, setIfMissing };
  const access = accessTo(ctx, db, args.table, 'update');
  if (patch) access.checkWrite(patch, 'patch');
  access.checkOperators(operatorFields(operators));
  // Only a patch needs the stored document (to check where it would leave the row): operators
  // cannot touch the fields the rule reads, and the guard in the write answers NOT_FOUND alike.
  const current = patch ? await writableDocument(ctx, access, db, args.table, args.id) : null;
  if (current && patch) access.checkPatch(current, patch, 'patch');
  const doc = await ctx.data.documents.update(db, args.table, args.id, patch, { operators, guard: access.rows });
  ctx.loaders.prime(db, args.table, args.id, doc);
  return access.strip(doc);
}

export async function replace(ctx: Context, args: TableArgs & { id: string; document: Document }): Promise<Document> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'update');
  access.checkWrite(args.document, 'document');
  const current = await writableDocument(ctx, access, db, args.table, args.id);
  if (current) access.checkWrite(args.document, 'document', args.document);
  const doc = await ctx.data.documents.replace(db, args.table, args.id, args.document, access.rows);
  ctx.loaders.prime(db, args.table, args.id, doc);
  return access.strip(doc);
}

export async function remove(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'delete');
  if (access.rows !== undefined) {
    const [doc] = await ctx.data.documents.getMany(db, args.table, [args.id]);
    if (!doc || !access.allows(doc)) return null;
  }
  const doc = await ctx.data.documents.delete(db, args.table, args.id);
  ctx.loaders.prime(db, args.table, args.id, null);
  return access.strip(doc);
}

export async function removeMany(ctx: Context, args: TableArgs & { where?: Document | null; all?: boolean | null }): Promise<number> {
  const db = dbOf(ctx, args.db);
  const access = accessTo(ctx, db, args.table, 'delete');
  access.checkReads(args.where);
  const hasWhere = args.where !== undefined && args.where !== null;
  // With a row rule, `all` means all of the caller's rows: the rule becomes the filter. Invalid
  // combinations (both, neither) go to the data layer unchanged, which refuses them.
  const deleted =
    access.rows === undefined || hasWhere === Boolean(args.all)
      ? await ctx.data.documents.deleteMany(db, args.table, args.where, args.all ?? false)
      : await ctx.data.documents.deleteMany(db, args.table, access.restrict(args.where), false);
  ctx.loaders.clearTable(db, args.table);
  return deleted;
}
