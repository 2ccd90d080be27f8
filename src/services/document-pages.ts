import type { Identity } from '../auth/identity.js';
import type { Document } from '../db/index.js';
import { BadInput } from '../errors/domain.js';
import { accessTo, type ServiceDeps } from './access.js';
import { decodeCursor, encodeCursor, type CursorScope } from './cursors.js';
import type { PageQuery } from './document-reads.js';

// Keyset pages: a page starts past the position a cursor names (the row's orderBy values and
// primary key), not after a count of rows, so rows inserted or deleted before it between two
// fetches never make a page skip or repeat a row.

/** A page asked for by count and cursor (Relay's arguments) or by `limit`/`offset`. */
export interface KeysetQuery extends PageQuery {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A page of documents as the caller may read them, in order, with a cursor for each. */
export interface DocumentPage {
  readonly documents: Document[];
  readonly cursors: string[];
  readonly hasNextPage: boolean | (() => Promise<boolean>);
  readonly hasPreviousPage: boolean | (() => Promise<boolean>);
}

/** The arguments that say how a page is counted and where it starts, checked together. */
function pageShape(query: KeysetQuery): { count: number | null | undefined; backward: boolean; cursor?: { argument: 'after' | 'before'; text: string } } {
  const given = (name: keyof KeysetQuery) => query[name] !== undefined && query[name] !== null;
  if (given('offset') && query.offset !== 0 && (given('after') || given('before'))) {
    throw new BadInput('offset cannot be combined with after or before: the cursor already says where the page starts', { argument: 'offset' });
  }
  for (const name of ['first', 'last'] as const) {
    const value = query[name];
    if (given(name) && (!Number.isSafeInteger(value) || (value as number) < 0)) throw new BadInput(`${name} must be a non-negative integer (got ${String(value)})`, { argument: name });
  }
  const counts = (['first', 'last', 'limit'] as const).filter(given);
  if (counts.length > 1) throw new BadInput(`give one of ${counts.join(', ')}: each says how many rows the page holds`, { argument: counts[1] });
  if (given('after') && given('before')) throw new BadInput('give after or before, not both', { argument: 'before' });
  const backward = given('last') || given('before');
  if (backward && (given('first') || given('after'))) throw new BadInput('last and before page backwards, first and after forwards: do not mix them', { argument: given('first') ? 'first' : 'after' });
  const count = query.first ?? query.last ?? query.limit;
  if (query.after) return { count, backward, cursor: { argument: 'after', text: query.after } };
  if (query.before) return { count, backward, cursor: { argument: 'before', text: query.before } };
  return { count, backward };
}

/**
 * One page of the documents matching `where` inside the row rule, forwards (`first`/`after`, or
 * `limit`/`offset`) or backwards (`last`/`before`), each with its cursor. BadInput for a damaged
 * or foreign cursor, or arguments that do not go together; Forbidden for a filter or sort on a
 * hidden field (or cursors when the primary key is hidden). `hasNextPage`/`hasPreviousPage` in
 * the direction of travel come with the page (one look-ahead row); the other way is a function
 * that asks the database (one row), for callers that need it.
 */
export async function pageDocuments(deps: ServiceDeps, identity: Identity, db: string, table: string, query: KeysetQuery): Promise<DocumentPage> {
  const access = accessTo(deps, identity, db, table, 'read');
  const orderBy = query.orderBy ?? [];
  const { primaryKey } = await deps.data.catalog.table(db, table);
  access.checkReads(query.where, [...orderBy.map((order) => order.field), primaryKey]);
  const { count, backward, cursor } = pageShape(query);
  const scope: CursorScope = { db, table, orderBy };
  const after = cursor && decodeCursor(cursor.argument, cursor.text, scope);
  const where = access.restrict(query.where);
  const list = { db, table, where, orderBy, offset: cursor ? 0 : query.offset, after };
  const rows = await deps.data.documents.list({ ...list, limit: count, backward }, { lookAhead: true });
  const wanted = deps.data.documents.limitOf(count);
  const more = rows.length > wanted;
  const page = rows.slice(0, wanted);
  if (backward) page.reverse();
  // Any row on the other side of the cursor's position (it may itself be gone since).
  const beyond = after ? async () => (await deps.data.documents.list({ ...list, limit: 1, backward: !backward })).length > 0 : false;
  const behind = cursor ? beyond : !backward && (query.offset ?? 0) > 0;
  return {
    documents: page.map((doc) => access.strip(doc)),
    cursors: page.map((doc) => encodeCursor(scope, primaryKey, doc)),
    hasNextPage: backward ? behind : more,
    hasPreviousPage: backward ? more : behind,
  };
}
