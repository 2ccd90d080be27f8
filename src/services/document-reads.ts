import type { Identity } from '../auth/identity.js';
import type { Document, Loaders, OrderBy } from '../db/index.js';
import { accessTo, type CallOptions, type ServiceDeps } from './access.js';

// Reads as the caller may see them: the role's row rule is ANDed into every filter (a document
// outside it is indistinguishable from a missing one) and hidden fields are stripped.

/** One document by id, fresh from the database (no request cache): what a write checks against. */
export async function storedDocument(deps: ServiceDeps, db: string, table: string, id: string): Promise<Document | null> {
  const [doc] = await deps.data.documents.getMany(db, table, [id]);
  return doc ?? null;
}

function readById(deps: ServiceDeps, db: string, table: string, id: string, loaders: Loaders | undefined): Promise<Document | null> {
  return loaders ? loaders.documentsOf(db, table).load(id) : storedDocument(deps, db, table, id);
}

/**
 * The document with this id as the caller may read it; null when it is missing or outside the
 * role's row rule. With a row rule the read is the check, so `accepted` runs after it (a refused
 * read is never accepted); without one, `accepted` runs before the read.
 */
export async function readDocument(deps: ServiceDeps, identity: Identity, db: string, table: string, id: string, { loaders, accepted }: CallOptions = {}): Promise<Document | null> {
  const access = accessTo(deps, identity, db, table, 'read');
  let doc = access.rows === undefined ? undefined : await readById(deps, db, table, id, loaders);
  if (doc === null || (doc !== undefined && !access.allows(doc))) return null;
  await accepted?.();
  doc ??= await readById(deps, db, table, id, loaders);
  return doc && access.strip(doc);
}

/** The documents with these ids, in order, null where missing or outside the row rule. */
export async function readDocuments(deps: ServiceDeps, identity: Identity, db: string, table: string, ids: readonly string[], { loaders }: CallOptions = {}): Promise<(Document | null)[]> {
  const access = accessTo(deps, identity, db, table, 'read');
  let found: (Document | null)[];
  if (!loaders || ids.length > deps.config.maxLimit) {
    // Checked here too: DataLoader would split an oversize list into batches instead of refusing it.
    found = await deps.data.documents.getMany(db, table, ids);
  } else {
    const results = await loaders.documentsOf(db, table).loadMany(ids);
    found = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
  }
  return found.map((doc) => (doc && access.allows(doc) ? access.strip(doc) : null));
}

/** A page of a query: `where`, `orderBy`, `limit`, `offset` as the data layer takes them. */
export interface PageQuery {
  where?: unknown;
  orderBy?: readonly OrderBy[];
  limit?: number | null;
  offset?: number | null;
}

/** One page of the documents matching `where`, inside the row rule; Forbidden for a filter or sort on a hidden field. */
export async function listDocuments(deps: ServiceDeps, identity: Identity, db: string, table: string, query: PageQuery): Promise<Document[]> {
  const access = accessTo(deps, identity, db, table, 'read');
  access.checkReads(query.where, query.orderBy?.map((order) => order.field));
  const docs = await deps.data.documents.list({ ...query, db, table, where: access.restrict(query.where) });
  return docs.map((doc) => access.strip(doc));
}

/**
 * Every document matching `where` inside the row rule, unpaged, for a protocol that answers with
 * all rows (RDM): BadInput when more than `max` match.
 */
export async function listAllDocuments(
  deps: ServiceDeps,
  identity: Identity,
  db: string,
  table: string,
  where: unknown,
  max: number,
  { accepted }: CallOptions = {},
): Promise<Document[]> {
  const access = accessTo(deps, identity, db, table, 'read');
  access.checkReads(where);
  await accepted?.();
  return (await deps.data.documents.listAll(db, table, access.restrict(where), max)).map((doc) => access.strip(doc));
}

/** How many documents match `where` inside the row rule. */
export function countDocuments(deps: ServiceDeps, identity: Identity, db: string, table: string, where: unknown): Promise<number> {
  const access = accessTo(deps, identity, db, table, 'read');
  access.checkReads(where);
  return deps.data.documents.count(db, table, access.restrict(where));
}
