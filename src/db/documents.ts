import { r, type RDatum, type WriteResult } from 'rethinkdb-ts';
import { BadInput, Conflict, NotFound } from '../errors/domain.js';
import type { Catalog, TableInfo } from './catalog.js';
import type { WhereNode } from '../filter/ast.js';
import { parseWhere } from '../filter/parse.js';
import { parseFieldPath } from '../filter/path.js';
import type { ConnectionPool } from './pool.js';
import { checkStorable } from './storable.js';
import { AllRows, asSequence, InsertDocuments, tableTerm } from './terms.js';
import type { BackendDialect, Dialect } from './dialect.js';
import { keyReader, TurnReads } from './turn-reads.js';
import type { FieldIndexes } from './field-indexes.js';
import { PlanCache } from './plan-cache.js';
import { selectQuery, type Plan, type Selection } from './plans.js';
import { parseUpdateOperators, updatedDocument } from './update-operators.js';
import { availabilityErrorOf, OUTSIDE_GUARD, OutsideGuard, writeErrorOf } from './reql-errors.js';
import { isJsonObject } from '../util/json.js';
import type { ConflictMode, Document, DocumentChange, InsertResult, Limits, ListQuery, OrderBy, UpdateOptions } from './document-types.js';
import { byKey, keyCandidates } from './keys.js';

/** `value` when `row` matches the guard `rule` (or there is none), else a ReQL error that makes the write fail as a whole. */
function guarded(dialect: Dialect, rule: WhereNode | undefined, row: RDatum, value: RDatum | Document): RDatum | Document {
  return rule ? r.branch(dialect.compileWhere(rule)(row), value, r.error(OUTSIDE_GUARD)) : value;
}

/** A table without secondary indexes. */
const NO_INDEXES: ReadonlyMap<string, string> = new Map();

/** Reads and writes documents. Every method checks names and throws domain errors. */
export class Documents {
  private readonly plans = new PlanCache();
  private readonly turnReads: TurnReads;

  /**
   * @param backend the dialect that chooses each query's plan (src/db/dialect.ts)
   * @param fieldIndexes which secondary indexes index one field, for the index plans
   */
  constructor(
    private readonly pool: ConnectionPool,
    private readonly catalog: Catalog,
    private readonly limits: Limits,
    private readonly backend: BackendDialect,
    private readonly fieldIndexes: FieldIndexes,
  ) {
    this.turnReads = new TurnReads(keyReader(pool, backend));
  }

  /**
   * The documents with these ids, in the order of `ids`, null where missing: ONE query (the
   * dialect's plan), shared with the other requests of this turn (src/db/turn-reads.ts).
   */
  async getMany(db: string, table: string, ids: readonly string[]): Promise<(Document | null)[]> {
    if (ids.length > this.limits.maxLimit) {
      throw new BadInput(`${ids.length} ids asked for; the maximum is ${this.limits.maxLimit}`);
    }
    const { primaryKey } = await this.catalog.table(db, table);
    return ids.length === 0 ? [] : this.turnReads.getMany(db, table, primaryKey, ids);
  }

  /**
   * Documents matching `where`, ordered (primary key last, so pages are stable), paged; past a
   * position (`after`), backwards when asked (then last row first). With `lookAhead`, one row
   * more than `limit` (a keyset page's test for a next one).
   */
  async list(query: ListQuery, { lookAhead = false }: { lookAhead?: boolean } = {}): Promise<Document[]> {
    const info = await this.catalog.table(query.db, query.table);
    const limit = this.limitOf(query.limit) + (lookAhead ? 1 : 0);
    const offset = query.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new BadInput(`offset must be a non-negative integer (got ${offset})`);
    const after = query.after ?? undefined;
    if (after && after.length !== (query.orderBy?.length ?? 0) + 1) throw new Error('Documents.list: a position holds one value per sort key, then the primary key');
    return this.read(await this.select(info, query.where, query.orderBy ?? [], offset, limit, { after, backward: query.backward ?? false }));
  }

  /**
   * Every document matching `where`, by primary key, unpaged: for callers whose protocol answers
   * with all rows (RDM's get_all and filter). BadInput when more than `max` match, rather than a
   * silently truncated answer.
   */
  async listAll(db: string, table: string, where: unknown, max: number): Promise<Document[]> {
    const info = await this.catalog.table(db, table);
    const docs = await this.read(await this.select(info, where, [], 0, max + 1));
    if (docs.length > max) {
      throw new BadInput(`more than ${max} documents match in ${db}.${table}; narrow the filter or page with the GraphQL query field`, { database: db, table, max });
    }
    return docs;
  }

  /** How many documents match `where`. */
  async count(db: string, table: string, where?: unknown): Promise<number> {
    await this.catalog.table(db, table);
    const parsed = parseWhere(where);
    const selection = tableTerm(db, table);
    const dialect = await this.backend.dialect();
    return this.pool.read(parsed ? dialect.filter(asSequence(selection), parsed).count() : selection.count());
  }

  /**
   * Inserts documents. With `conflict: 'error'` an existing key fails the whole batch before
   * anything is written; should a concurrent writer still win the race, the Conflict error says
   * exactly which documents were written.
   */
  async insert(db: string, table: string, documents: readonly unknown[], conflict: ConflictMode = 'error'): Promise<InsertResult> {
    const { primaryKey } = await this.catalog.table(db, table);
    if (documents.length === 0) throw new BadInput('insert needs at least one document');
    if (documents.length > this.limits.maxLimit) {
      throw new BadInput(`${documents.length} documents in one insert; the maximum is ${this.limits.maxLimit}`);
    }
    const docs = documents.map((doc, i) => {
      if (!isJsonObject(doc)) throw new BadInput(`document ${i} is not a JSON object`, { index: i });
      checkStorable(doc, `document ${i}`);
      return doc;
    });
    const keys = docs.filter((doc) => doc[primaryKey] !== undefined).map((doc) => doc[primaryKey]);
    const seen = new Set<string>();
    for (const key of keys) {
      const text = JSON.stringify(key);
      if (seen.has(text)) throw new BadInput(`primary key ${primaryKey}=${text} appears twice in one insert`, { [primaryKey]: key });
      seen.add(text);
    }
    if (conflict === 'error' && keys.length > 0) {
      const { exists } = await this.backend.dialect();
      const existing = await this.pool.read(r.expr(keys).filter((key) => exists(tableTerm(db, table), key)) as RDatum<unknown[]>);
      if (existing.length > 0) {
        throw new Conflict(`${existing.length} document(s) already exist in ${db}.${table}: ${primaryKey} ${existing.map((k) => JSON.stringify(k)).join(', ')}; nothing was inserted`, {
          database: db,
          table,
          existing,
        });
      }
    }
    // With conflict 'error' a stored document is the given one plus its generated key: asking
    // the server to send it back (returnChanges) costs 0.1-0.3 ms of a ~1 ms insert for nothing.
    const result = await this.pool.run(new InsertDocuments(db, table, docs, conflict === 'error' ? { conflict } : { conflict, returnChanges: 'always' }));
    const generatedKeys = result.generated_keys ?? [];
    const stored = new Map<string, Document>();
    for (const change of result.changes ?? []) {
      const doc = change.new_val as Document | null;
      if (doc) stored.set(JSON.stringify(doc[primaryKey]), doc);
    }
    let generated = 0;
    const written = docs.map((doc) => {
      const key = doc[primaryKey] !== undefined ? doc[primaryKey] : generatedKeys[generated++];
      return stored.get(JSON.stringify(key)) ?? { ...doc, [primaryKey]: key };
    });
    if (result.errors > 0) {
      throw availabilityErrorOf(result.first_error) ?? new Conflict(`${result.errors} of ${docs.length} document(s) were not inserted into ${db}.${table}: ${result.first_error ?? 'conflict'}`, {
        database: db,
        table,
        inserted: result.inserted,
        replaced: result.replaced,
        generatedKeys,
      });
    }
    return { inserted: result.inserted, replaced: result.replaced, unchanged: result.unchanged, generatedKeys, documents: written };
  }

  /**
   * Deep-merges `patch` into the document (RethinkDB update semantics) and applies the atomic
   * `operators`; returns the new document. With `guard` (a where filter, e.g. a role's row rule)
   * the document must match it, checked atomically with the write; NotFound when it does not, as
   * when it is missing.
   */
  async update(db: string, table: string, id: string, patch: unknown, options: UpdateOptions = {}): Promise<Document> {
    return (await this.updateChange(db, table, id, patch, options)).newVal;
  }

  /**
   * Like `update`, but returns the document before and after, and whether it changed. With
   * atomic operators the document is rewritten by one `replace` whose function the database
   * runs on the stored document, so concurrent `inc`s all count.
   */
  async updateChange(db: string, table: string, id: string, patch: unknown, { operators = {}, guard }: UpdateOptions = {}): Promise<DocumentChange> {
    const { primaryKey } = await this.catalog.table(db, table);
    if (patch !== undefined && patch !== null && !isJsonObject(patch)) throw new BadInput('patch must be a JSON object');
    const patchDoc = patch ?? undefined;
    if (patchDoc) checkStorable(patchDoc, 'patch');
    if (patchDoc && primaryKey in patchDoc && !keyCandidates(id).includes(patchDoc[primaryKey] as string | number)) {
      throw new BadInput(`the primary key "${primaryKey}" cannot be changed`, { field: primaryKey });
    }
    const operations = parseUpdateOperators(operators, patchDoc, primaryKey);
    if (!patchDoc && operations.length === 0) {
      throw new BadInput('update needs a patch or an operator (inc, append, prepend, removeFromArray, unset, setIfMissing)');
    }
    const t = tableTerm(db, table);
    const rule = parseWhere(guard);
    const write =
      operations.length === 0
        ? (dialect: Dialect) => (key: string | number) =>
            t.get(key).update(rule ? (row: RDatum) => guarded(dialect, rule, row, patchDoc ?? {}) : (patchDoc ?? {}), { returnChanges: 'always' })
        : (dialect: Dialect) => (key: string | number) =>
            t.get(key).replace((old: RDatum) => r.branch(old.eq(null), null, guarded(dialect, rule, old, updatedDocument(old, patchDoc, operations))), { returnChanges: 'always' });
    const result = await this.writeDocument(db, table, id, write);
    const newVal = this.changedDocument(result, db, table, id);
    const oldVal = (result.changes?.[0]?.old_val as Document | null | undefined) ?? newVal;
    return { oldVal, newVal, changed: result.unchanged === 0 };
  }

  /** Replaces the whole document (the primary key is kept); NotFound when it does not exist, or does not match `guard` (as in update). */
  async replace(db: string, table: string, id: string, document: unknown, guard?: unknown): Promise<Document> {
    const { primaryKey } = await this.catalog.table(db, table);
    if (!isJsonObject(document)) throw new BadInput('document must be a JSON object');
    checkStorable(document, 'document');
    if (primaryKey in document && !keyCandidates(id).includes(document[primaryKey] as string | number)) {
      throw new BadInput(`the document's "${primaryKey}" must equal the id being replaced`, { field: primaryKey });
    }
    const t = tableTerm(db, table);
    const rule = parseWhere(guard);
    // Replacing a missing document inserts it on RethinkDB and is skipped on reqlite; the branch
    // makes both report "skipped" so the caller gets NotFound. Nested branches, not one with
    // several conditions: reqlite evaluates only the first condition of a multi-way branch.
    const replacement = (dialect: Dialect, key: string | number) => (old: RDatum) => r.branch(old.eq(null), null, guarded(dialect, rule, old, { ...document, [primaryKey]: key }));
    const result = await this.writeDocument(db, table, id, (dialect) => (key) => t.get(key).replace(replacement(dialect, key), { returnChanges: 'always' }));
    return this.changedDocument(result, db, table, id);
  }

  /** Deletes one document; returns it, or null when there was none. */
  async delete(db: string, table: string, id: string): Promise<Document | null> {
    await this.catalog.table(db, table);
    const t = tableTerm(db, table);
    const result = await this.writeDocument(db, table, id, () => (key) => t.get(key).delete({ returnChanges: true }));
    return (result.changes?.[0]?.old_val as Document | undefined) ?? null;
  }

  /** Deletes every document matching `where` (or all of them with `all`); returns how many. */
  async deleteMany(db: string, table: string, where: unknown, all = false): Promise<number> {
    await this.catalog.table(db, table);
    const parsed = parseWhere(where);
    if (parsed && all) throw new BadInput('give either where or all: true, not both');
    if (!parsed && !all) throw new BadInput('deleteMany needs a where filter (or all: true to empty the table)');
    const t = tableTerm(db, table);
    const dialect = await this.backend.dialect();
    // The filtered table is still a selection (filter keeps it one), which `delete` takes.
    const rows = parsed ? (dialect.filter(asSequence(t), parsed) as unknown as typeof t) : t;
    const result = await this.write(rows.delete() as unknown as RDatum);
    return result.deleted;
  }

  /** The plan and query for a page of documents matching `where` in `orderBy` order (primary key last, so order is total). */
  async select(info: TableInfo, where: unknown, orderBy: readonly OrderBy[], offset: number, limit: number, position: Pick<Selection, 'after' | 'backward'> = {}): Promise<Plan> {
    const dialect = await this.backend.dialect();
    const indexes = dialect.usesIndexes ? await this.fieldIndexes.of(info) : NO_INDEXES;
    const { after, backward = false } = position;
    // Everything the plan depends on (where and orderBy as given: they are parsed, and refused, only when built).
    const key = JSON.stringify([info.db, info.name, info.primaryKey, where ?? null, orderBy, offset, limit, after ?? null, backward]);
    return this.plans.plan(key, indexes, () => {
      const order = orderBy.map(({ field, direction }) => ({ path: parseFieldPath(field), descending: direction === 'DESC' }));
      return selectQuery(dialect, info, { where: parseWhere(where), order, offset, limit, after, backward }, indexes);
    });
  }

  /** The documents a plan reads. */
  private read(plan: Plan): Promise<Document[]> {
    const run = (query: RDatum) => this.pool.read(new AllRows<Document>(query));
    return plan.read ? plan.read(run) : run(plan.query);
  }

  /** The page size `limit` asks for: the default limit when absent; BadInput when negative or over the maximum. */
  limitOf(limit: number | null | undefined): number {
    if (limit === undefined || limit === null) return this.limits.defaultLimit;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new BadInput(`limit must be a non-negative integer (got ${limit})`);
    if (limit > this.limits.maxLimit) throw new BadInput(`limit ${limit} exceeds the maximum of ${this.limits.maxLimit}`, { limit, max: this.limits.maxLimit });
    return limit;
  }

  /** `write`, where a document failing its guard is reported as NotFound (the caller may not learn it exists). */
  private async guardedWrite(query: RDatum, db: string, table: string, id: string): Promise<WriteResult> {
    try {
      return await this.write(query);
    } catch (error) {
      if (error instanceof OutsideGuard) {
        throw new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
      }
      throw error;
    }
  }

  /**
   * A write to the one document `id` (or its numeric twin, see byKey), built for the dialect:
   * queued behind earlier writes to it where the database does not serialize them.
   */
  private async writeDocument(db: string, table: string, id: string, write: (dialect: Dialect) => (key: string | number) => RDatum): Promise<WriteResult> {
    const dialect = await this.backend.dialect();
    const query = byKey(tableTerm(db, table), id, write(dialect), dialect.exists);
    return this.backend.writes.run(`${db}\u0000${table}\u0000${id}`, () => this.guardedWrite(query, db, table, id));
  }

  /** Runs a write and turns per-document errors (reported in the result, not thrown) into domain errors. */
  private async write(query: RDatum): Promise<WriteResult> {
    const result = (await this.pool.run(query)) as WriteResult;
    if (result.errors > 0) throw writeErrorOf(result.first_error);
    return result;
  }

  private changedDocument(result: WriteResult, db: string, table: string, id: string): Document {
    const doc = result.changes?.[0]?.new_val as Document | null | undefined;
    if (!doc || result.skipped > 0) throw new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
    return doc;
  }
}
