import type { TableAccess } from '../auth/permissions.js';
import type { Action } from '../auth/rules.js';
import type { Context } from '../graphql/context.js';
import type { ConflictMode, Document, InsertResult, OrderBy, UpdateOperators } from '../db/index.js';
import { accessTo as serviceAccess } from '../services/access.js';
import * as service from '../services/documents.js';

// GraphQL adapters onto src/services/documents.ts: the field's arguments in (the database
// defaulting to the configured one), the service call as the caller, the field's value out.

/** Arguments every document field takes: the database (default: the configured one) and table. */
export interface TableArgs {
  db?: string | null;
  table: string;
}

export function dbOf(ctx: Context, db: string | null | undefined): string {
  return db ?? ctx.config.defaultDb;
}

/**
 * The caller's access to a table for an action (Forbidden when the role may not), for the
 * resolvers that apply it themselves (subscriptions, typed relations).
 */
export function accessTo(ctx: Context, db: string, table: string, action: Action): TableAccess {
  return serviceAccess(ctx, ctx.identity, db, table, action);
}

export function document(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  return service.readDocument(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.id, { loaders: ctx.loaders });
}

export function documents(ctx: Context, args: TableArgs & { ids: readonly string[] }): Promise<(Document | null)[]> {
  return service.readDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.ids, { loaders: ctx.loaders });
}

/** How a list is paged: by `limit`/`offset`, or by count and cursor (`first`/`after`, `last`/`before`). */
export interface PagingArgs {
  limit?: number | null;
  offset?: number | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface ListArgs extends TableArgs, PagingArgs {
  where?: Document | null;
  orderBy?: readonly OrderBy[] | null;
}

const keysetArgs = ['first', 'after', 'last', 'before'] as const;

function pageOf(ctx: Context, args: ListArgs): Promise<service.DocumentPage> {
  const { where, limit, offset, first, after, last, before } = args;
  return service.pageDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, { where, orderBy: args.orderBy ?? undefined, limit, offset, first, after, last, before });
}

export async function query(ctx: Context, args: ListArgs): Promise<Document[]> {
  if (keysetArgs.some((name) => args[name] !== undefined && args[name] !== null)) return (await pageOf(ctx, args)).documents;
  const { where, limit, offset } = args;
  return service.listDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, { where, orderBy: args.orderBy ?? undefined, limit, offset });
}

/** A Relay connection's value: edges now; page flags and the total (one query each) when selected. */
export interface DocumentConnection {
  readonly edges: readonly { cursor: string; node: Document }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: () => Promise<number>;
}

/** Relay's PageInfo: the flags are thunks, as one of them may need a query. */
export interface PageInfo {
  readonly hasNextPage: () => Promise<boolean>;
  readonly hasPreviousPage: () => Promise<boolean>;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

const flag = (value: boolean | (() => Promise<boolean>)) => (typeof value === 'function' ? value : () => Promise.resolve(value));

/** A page of documents as a Relay connection (`totalCount` counts every match in the row rule). */
export async function queryConnection(ctx: Context, args: ListArgs): Promise<DocumentConnection> {
  const page = await pageOf(ctx, args);
  return {
    edges: page.documents.map((node, i) => ({ node, cursor: page.cursors[i] as string })),
    pageInfo: { hasNextPage: flag(page.hasNextPage), hasPreviousPage: flag(page.hasPreviousPage), startCursor: page.cursors[0] ?? null, endCursor: page.cursors.at(-1) ?? null },
    totalCount: () => count(ctx, args),
  };
}

export function count(ctx: Context, args: TableArgs & { where?: Document | null }): Promise<number> {
  return service.countDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.where);
}

export function insert(ctx: Context, args: TableArgs & { documents: readonly Document[]; conflict?: ConflictMode | null }): Promise<InsertResult> {
  return service.insertDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.documents, { conflict: args.conflict ?? 'error', loaders: ctx.loaders });
}

export async function update(ctx: Context, args: TableArgs & UpdateOperators & { id: string; patch?: Document | null }): Promise<Document> {
  const { inc, append, prepend, removeFromArray, unset, setIfMissing, patch } = args;
  const change = await service.updateDocument(
    ctx,
    ctx.identity,
    dbOf(ctx, args.db),
    args.table,
    args.id,
    { patch, inc, append, prepend, removeFromArray, unset, setIfMissing },
    { loaders: ctx.loaders },
  );
  return change.newVal;
}

export function replace(ctx: Context, args: TableArgs & { id: string; document: Document }): Promise<Document> {
  return service.replaceDocument(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.id, args.document, { loaders: ctx.loaders });
}

export function remove(ctx: Context, args: TableArgs & { id: string }): Promise<Document | null> {
  return service.deleteDocument(ctx, ctx.identity, dbOf(ctx, args.db), args.table, args.id, { loaders: ctx.loaders });
}

export function removeMany(ctx: Context, args: TableArgs & { where?: Document | null; all?: boolean | null }): Promise<number> {
  return service.deleteDocuments(ctx, ctx.identity, dbOf(ctx, args.db), args.table, { where: args.where, all: args.all }, { loaders: ctx.loaders });
}
