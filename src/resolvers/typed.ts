import type { Context } from '../graphql/context.js';
import { BadInput } from '../errors/domain.js';
import type { ConflictMode, Document, UpdateOperators } from '../db/index.js';
import type { FieldModel, ReverseRelation, TableModel } from '../models/model.js';
import { documentOf, orderOf, whereOf, type TypedInput } from '../models/translate.js';
import { checkOperators, checkWrite } from '../models/validate.js';
import type { ChangesOptions, LiveOptions } from '../subscriptions/arguments.js';
import type { ChangeEvent, LiveResult, Payload } from '../subscriptions/events.js';
import * as documents from './documents.js';
import * as subscriptions from './subscriptions.js';

// The typed per-table API adds only typing, input validation against declared models and
// relation loading: every read, write and subscription DELEGATES to the generic resolver
// functions, so whatever they enforce (permissions, auditing, limits) holds for typed fields too.

/** Typed sort keys: the enum value is the stored key. */
export type TypedOrderBy = readonly { field: string; direction?: 'ASC' | 'DESC' | null }[];

/** Arguments of `players(...)` and `playersConnection(...)`. */
export interface TypedListArgs extends documents.PagingArgs {
  where?: TypedInput | null;
  orderBy?: TypedOrderBy | null;
}

export function one(ctx: Context, model: TableModel, id: string): Promise<Document | null> {
  return documents.document(ctx, { table: model.table, id });
}

export function list(ctx: Context, model: TableModel, { where, orderBy, ...paging }: TypedListArgs): Promise<Document[]> {
  return documents.query(ctx, { ...paging, table: model.table, where: whereOf(model, where), orderBy: orderOf(orderBy) });
}

export function connection(ctx: Context, model: TableModel, { where, orderBy, ...paging }: TypedListArgs): Promise<documents.DocumentConnection> {
  return documents.queryConnection(ctx, { ...paging, table: model.table, where: whereOf(model, where), orderBy: orderOf(orderBy) });
}

export function count(ctx: Context, model: TableModel, where: TypedInput | null | undefined): Promise<number> {
  return documents.count(ctx, { table: model.table, where: whereOf(model, where) });
}

/** Validates every document first: one bad document means nothing is written. */
export async function insert(ctx: Context, model: TableModel, inputs: readonly TypedInput[], conflict?: ConflictMode | null): Promise<Document[]> {
  const docs = inputs.map((input, i) => {
    const doc = documentOf(model, input);
    checkWrite(model, doc, 'document', inputs.length > 1 ? `${model.table}[${i}]` : undefined);
    return doc;
  });
  return (await documents.insert(ctx, { table: model.table, documents: docs, conflict })).documents;
}

/** A typed patch and/or atomic operators (keys are stored field paths), each checked against the declared model first. */
export function update(ctx: Context, model: TableModel, id: string, patch: TypedInput | null | undefined, operators: UpdateOperators = {}): Promise<Document> {
  const doc = patch ? documentOf(model, patch) : undefined;
  if (doc) checkWrite(model, doc, 'patch');
  checkOperators(model, operators);
  return documents.update(ctx, { table: model.table, id, patch: doc, ...operators });
}

export function replace(ctx: Context, model: TableModel, id: string, input: TypedInput): Promise<Document> {
  const doc = documentOf(model, input);
  checkWrite(model, doc, 'document');
  return documents.replace(ctx, { table: model.table, id, document: doc });
}

export function remove(ctx: Context, model: TableModel, id: string): Promise<Document | null> {
  return documents.remove(ctx, { table: model.table, id });
}

/** A pointer field: the pointed-to document through the per-request loader, null when the field is empty or dangling. */
export async function pointer(ctx: Context, field: FieldModel & { pointer: string }, doc: Document): Promise<Document | null> {
  const value = doc[field.key];
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  return documents.document(ctx, { table: field.pointer, id: String(value) });
}

/**
 * A reverse list: the documents pointing at `doc`, through the per-request loader of the
 * relation's index, as the caller may read them (its row rule filters, hidden fields stripped),
 * the first `limit` by primary key (default: the default list limit; BadInput over the maximum).
 */
export async function reverse(ctx: Context, relation: ReverseRelation, owner: TableModel, doc: Document, limit?: number | null): Promise<Document[]> {
  const db = documents.dbOf(ctx, undefined);
  const access = documents.accessTo(ctx, db, relation.table, 'read');
  const most = limit ?? ctx.config.defaultLimit;
  if (!Number.isSafeInteger(most) || most < 0 || most > ctx.config.maxLimit) {
    throw new BadInput(`limit of ${relation.name} must be an integer from 0 to ${ctx.config.maxLimit} (got ${most})`, { argument: 'limit' });
  }
  const key = doc[owner.primaryKey];
  if (key === undefined || key === null) return [];
  const related = await ctx.loaders.referencesOf(db, relation.table, relation.index).load(key);
  return related.filter((row) => access.allows(row)).slice(0, most).map((row) => access.strip(row));
}

/** Arguments of `playerChanges(...)`. */
export type TypedChangesArgs = ChangesOptions<TypedInput>;

export function changes(ctx: Context, model: TableModel, args: TypedChangesArgs): Promise<AsyncIterableIterator<Payload<ChangeEvent>>> {
  return subscriptions.changes(ctx, { ...args, table: model.table, where: whereOf(model, args.where) });
}

/** Arguments of `playersLive(...)`. */
export type TypedLiveArgs = LiveOptions<TypedInput, TypedOrderBy[number]>;

/**
 * A typed subscription event as the field's value. The subscription's loaders are cleared first:
 * its context lives as long as it does, and a pointer or reverse field must show the related
 * documents as they are at this event, not as they were at the first.
 */
export function eventOf<T extends { resumeToken: string | null }>(ctx: Context, payload: Payload<T>): T {
  ctx.loaders.clearAll();
  return subscriptions.eventOf(ctx, payload);
}

export function live(ctx: Context, model: TableModel, args: TypedLiveArgs): Promise<AsyncIterableIterator<Payload<LiveResult>>> {
  return subscriptions.live(ctx, { ...args, table: model.table, where: whereOf(model, args.where), orderBy: orderOf(args.orderBy) ?? [] });
}
