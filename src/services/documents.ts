import type { Identity } from '../auth/identity.js';
import type { TableAccess } from '../auth/permissions.js';
import { operatorFields, type ConflictMode, type Document, type DocumentChange, type InsertResult, type UpdateOperators } from '../db/index.js';
import { BadInput, Forbidden, NotFound } from '../errors/domain.js';
import { accessTo, type CallOptions, type ServiceDeps } from './access.js';
import { storedDocument } from './document-reads.js';

// Writes as the caller may make them: permission, read-only fields, the row rule (a row outside
// it answers as missing; a write may not move a row out of it), then the data layer. Each way in
// (GraphQL mutations, RDM packets) calls these, so a policy change is made once.

export { countDocuments, listAllDocuments, listDocuments, readDocument, readDocuments, type PageQuery } from './document-reads.js';
export { pageDocuments, type DocumentPage, type KeysetQuery } from './document-pages.js';

/** A write's options: `what` names the written value in refusals (the way in's own word for it). */
export interface WriteOptions extends CallOptions {
  readonly what?: string;
}

export interface InsertOptions extends CallOptions {
  /** @default 'error' */
  readonly conflict?: ConflictMode;
  /** Names the i-th document in refusals. @default `document ${i}` */
  readonly whatOf?: (index: number) => string;
}

/**
 * Inserts documents as the caller; returns them as stored, hidden fields stripped. An upsert
 * (conflict `replace` or `update`) may overwrite an existing document: it needs update
 * permission as well, and is refused to roles with a row rule (it could overwrite a row outside
 * the rule). Every document must leave read-only fields alone and fall inside the row rule.
 */
export async function insertDocuments(
  deps: ServiceDeps,
  identity: Identity,
  db: string,
  table: string,
  documents: readonly Document[],
  { conflict = 'error', whatOf = (i) => `document ${i}`, loaders, accepted }: InsertOptions = {},
): Promise<InsertResult> {
  const access = accessTo(deps, identity, db, table, 'insert');
  if (conflict === 'replace' || conflict === 'update') {
    accessTo(deps, identity, db, table, 'update');
    if (access.rows !== undefined) {
      throw new Forbidden(`role "${identity.role}" has a row rule on ${db}.${table}: insert with conflict ${conflict.toUpperCase()} is not allowed, use update`, {
        database: db,
        table,
      });
    }
  }
  documents.forEach((doc, i) => access.checkWrite(doc, whatOf(i), doc));
  const { primaryKey } = await deps.data.catalog.table(db, table);
  await accepted?.();
  const result = await deps.data.documents.insert(db, table, documents, conflict);
  for (const doc of result.documents) loaders?.prime(db, table, String(doc[primaryKey]), doc);
  return { ...result, documents: result.documents.map((doc) => access.strip(doc)) };
}

/**
 * The document a row-ruled write may touch: NotFound when it is missing OR outside the rule
 * (the caller cannot tell which). Unrestricted roles skip the read. Updates and replaces pass
 * the rule to the data layer too, which checks it atomically with the write; this read is for
 * checking the RESULT against the rule.
 */
async function writableDocument(deps: ServiceDeps, access: TableAccess, db: string, table: string, id: string): Promise<Document | null> {
  if (access.rows === undefined) return null;
  const doc = await storedDocument(deps, db, table, id);
  if (!doc || !access.allows(doc)) throw new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
  return doc;
}

/** What an update applies: a patch (deep-merged) and/or atomic operators. */
export interface DocumentUpdate extends UpdateOperators {
  readonly patch?: Document | null;
}

/**
 * Updates one document as the caller; returns it before and after (hidden fields stripped) and
 * whether it changed. NotFound when it is missing or outside the row rule; Forbidden for a
 * read-only field, an operator on a field the rule reads, or a patch that would move the row
 * out of the rule.
 */
export async function updateDocument(
  deps: ServiceDeps,
  identity: Identity,
  db: string,
  table: string,
  id: string,
  { patch, ...operators }: DocumentUpdate,
  { what = 'patch', loaders, accepted }: WriteOptions = {},
): Promise<DocumentChange> {
  const access = accessTo(deps, identity, db, table, 'update');
  if (patch) access.checkWrite(patch, what);
  access.checkOperators(operatorFields(operators));
  // Only a patch needs the stored document (to check where it would leave the row): operators
  // cannot touch the fields the rule reads, and the guard in the write answers NOT_FOUND alike.
  const current = patch ? await writableDocument(deps, access, db, table, id) : null;
  if (current && patch) access.checkPatch(current, patch, what);
  await accepted?.();
  const change = await deps.data.documents.updateChange(db, table, id, patch, { operators, guard: access.rows }).catch((error: unknown) => {
    throw undescribed(error, access);
  });
  loaders?.prime(db, table, id, change.newVal);
  return { ...change, oldVal: access.strip(change.oldVal), newVal: access.strip(change.newVal) };
}

/**
 * An operator's type error on a field hidden from the role, without what it says of the stored
 * value ("inc needs a number at "secret" but it holds a string" would tell its type); any other
 * error unchanged.
 */
function undescribed(error: unknown, access: TableAccess): unknown {
  if (!(error instanceof BadInput) || access.hiddenFields.length === 0) return error;
  const field = error.details.field;
  if (typeof field !== 'string' || !access.hiddenFields.includes(field.split('.')[0] as string)) return error;
  const operator = error.message.split(' ')[0] ?? 'update';
  return new BadInput(`${operator} could not be applied to "${field}"`, { field });
}

/**
 * Replaces one document as the caller (same refusals as `updateDocument`); returns it, hidden
 * fields stripped. The role's read-only fields keep their stored values (omitting one does not
 * delete it): they are copied into the replacement, and the write is guarded on them still
 * holding those values, so a concurrent change of one is never undone (NotFound if it happened).
 */
export async function replaceDocument(
  deps: ServiceDeps,
  identity: Identity,
  db: string,
  table: string,
  id: string,
  document: Document,
  { what = 'document', loaders, accepted }: WriteOptions = {},
): Promise<Document> {
  const access = accessTo(deps, identity, db, table, 'update');
  access.checkWrite(document, what);
  const kept = access.readonlyFields;
  let replacement = document;
  let guard = access.rows;
  if (kept.length > 0) {
    const stored = await storedDocument(deps, db, table, id);
    if (!stored || !access.allows(stored)) throw new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
    replacement = { ...document, ...Object.fromEntries(kept.filter((field) => field in stored).map((field) => [field, stored[field]])) };
    const unchanged = kept.map((field) => ({ [field]: field in stored ? { eq: stored[field] } : { exists: false } }));
    guard = { and: guard === undefined ? unchanged : [guard, ...unchanged] };
    if (access.rows !== undefined) access.checkWrite(document, what, replacement);
  } else {
    const current = await writableDocument(deps, access, db, table, id);
    if (current) access.checkWrite(document, what, document);
  }
  await accepted?.();
  const doc = await deps.data.documents.replace(db, table, id, replacement, guard);
  loaders?.prime(db, table, id, doc);
  return access.strip(doc);
}

/** Deletes one document as the caller; returns it (hidden fields stripped), or null when it is missing or outside the row rule. */
export async function deleteDocument(deps: ServiceDeps, identity: Identity, db: string, table: string, id: string, { loaders, accepted }: CallOptions = {}): Promise<Document | null> {
  const access = accessTo(deps, identity, db, table, 'delete');
  if (access.rows !== undefined) {
    const doc = await storedDocument(deps, db, table, id);
    if (!doc || !access.allows(doc)) return null;
  }
  await accepted?.();
  const doc = await deps.data.documents.delete(db, table, id);
  loaders?.prime(db, table, id, null);
  return access.strip(doc);
}

/** Which documents `deleteDocuments` deletes: those matching `where`, or all of them. */
export interface DeleteSelection {
  readonly where?: Document | null;
  readonly all?: boolean | null;
}

/**
 * Deletes the documents matching `where` (or, with `all`, every one) inside the row rule;
 * returns how many. With a row rule, `all` means all of the caller's rows: the rule becomes the
 * filter. Invalid combinations (both, neither) go to the data layer unchanged, which refuses them.
 */
export async function deleteDocuments(deps: ServiceDeps, identity: Identity, db: string, table: string, { where, all }: DeleteSelection, { loaders, accepted }: CallOptions = {}): Promise<number> {
  const access = accessTo(deps, identity, db, table, 'delete');
  access.checkReads(where);
  const hasWhere = where !== undefined && where !== null;
  await accepted?.();
  const { documents } = deps.data;
  const deleted =
    access.rows === undefined || hasWhere === Boolean(all)
      ? await documents.deleteMany(db, table, where, all ?? false)
      : await documents.deleteMany(db, table, access.restrict(where), false);
  loaders?.clearTable(db, table);
  return deleted;
}
