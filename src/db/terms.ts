import { r, type Connection, type RDatum, type RTable, type RunOptions, type WriteResult } from 'rethinkdb-ts';
import type { Document } from './document-types.js';
import { wireJson, wireQuery } from './driver-internals.js';
import type { Runnable } from './pool.js';

/** Distinct tables whose terms are kept; past this the cache starts over (terms are cheap to rebuild). */
const MAX_CACHED_TABLES = 1024;
const tables = new Map<string, RTable>();

/**
 * `r.db(db).table(table)`, built once per table. rethinkdb-ts builds every term object with a
 * closure per ReQL method (~150), which made building `r.db().table()` for each get a tenth of
 * the gateway's CPU under a get-by-id load; terms are immutable values, so sharing one is safe.
 */
export function tableTerm(db: string, table: string): RTable {
  const key = `${db}\u0000${table}`;
  let term = tables.get(key);
  if (!term) {
    if (tables.size >= MAX_CACHED_TABLES) tables.clear();
    term = r.db(db).table(table);
    tables.set(key, term);
  }
  return term;
}

/**
 * A table, selection or stream as a generic ReQL sequence: rethinkdb-ts types each term's result
 * narrowly (RTable, RSelection, RStream), and the plans compose them with the same methods.
 */
export function asSequence(term: object): RDatum {
  return term as RDatum;
}

/** Protocol term types (ql2.proto TermType). */
const GET = 16;
const GET_ALL = 78;
const COERCE_TO = 51;
const INSERT = 56;
const MAKE_ARRAY = 2;

/**
 * Runs a query on one table as its wire JSON (`wire(tableJson)`) through the driver connection's
 * `query`, without building query-builder terms; `built()` runs it through the builder where the
 * driver lacks the internals (db/driver-internals.ts). The wire answer's single result.
 */
async function runWire(connection: Connection, options: RunOptions | undefined, db: string, table: string, wire: (tableJson: unknown) => unknown, built: () => RDatum): Promise<unknown> {
  const tableJson = wireJson(tableTerm(db, table));
  const query = tableJson === undefined ? undefined : wireQuery(connection);
  if (!query) return built().run(connection, options);
  const cursor = await query(wire(tableJson), options);
  const results = await cursor?.resolve();
  return results?.[0];
}

/**
 * `r.db(db).table(table).get(key)` ready to run, sent as the term's wire JSON: `[GET, [table,
 * key]]`. The query builder would build another ~150-closure term object per get — the biggest
 * item left in the gateway's CPU profile under a get-by-id load (6%). A class, so that tracing
 * can name its table without a term to walk (db/query-shape.ts).
 */
export class GetByKey implements Runnable<unknown> {
  constructor(
    readonly db: string,
    readonly table: string,
    private readonly key: string | number,
  ) {}

  async run(connection: Connection, options?: RunOptions): Promise<unknown> {
    const { db, table, key } = this;
    const found = await runWire(connection, options, db, table, (tableJson) => [GET, [tableJson, key]], () => tableTerm(db, table).get(key));
    return found ?? null;
  }
}

/** `r.db(db).table(table).get(key)` ready to run (see GetByKey). */
export function getByKey(db: string, table: string, key: string | number): Runnable<unknown> {
  return new GetByKey(db, table, key);
}

/**
 * `r.db(db).table(table).getAll(...keys).coerceTo('array')` ready to run, sent as its wire JSON
 * like GetByKey: the query builder parses every key as a term argument, and this is what a
 * turn's batch of gets sends under load (src/db/turn-reads.ts). Keys are strings and numbers,
 * which the wire format takes as themselves.
 */
export class GetByKeys implements Runnable<(Document | null)[]> {
  constructor(
    readonly db: string,
    readonly table: string,
    private readonly keys: readonly (string | number)[],
  ) {}

  async run(connection: Connection, options?: RunOptions): Promise<(Document | null)[]> {
    const { db, table, keys } = this;
    const wire = (tableJson: unknown) => [COERCE_TO, [[GET_ALL, [tableJson, ...keys]], 'array']];
    const found = await runWire(connection, options, db, table, wire, () => tableTerm(db, table).getAll(...keys).coerceTo('array') as RDatum);
    return (found as (Document | null)[] | undefined) ?? [];
  }
}

/**
 * Every row `query` (a sequence, or an array) yields, ready to run. The query builder's `run`
 * reads a sequence row by row — an `await` per row, then a RethinkDB error object (with its
 * stack) to say the cursor has ended — although a page arrives whole, in the response's one
 * batch: ~6% of a list request's CPU in the gateway's profile. This reads the first batch and
 * returns it when the server says it is the last; only a longer sequence is read on through the
 * cursor. Sent as the term's wire JSON (`term`, which tracing describes like any term's).
 */
export class AllRows<T> implements Runnable<T[]> {
  readonly term: unknown;

  constructor(private readonly query: Runnable<unknown>) {
    this.term = wireJson(query);
  }

  async run(connection: Connection, options?: RunOptions): Promise<T[]> {
    const send = this.term === undefined ? undefined : wireQuery(connection);
    if (!send) return (await this.query.run(connection, options)) as T[];
    const cursor = await send(this.term, options);
    const results = (await cursor?.resolve()) ?? [];
    if (cursor?.getType?.() === 'Atom') return results[0] as T[];
    if (cursor?.hasNextBatch === false) return results as T[];
    if (cursor?.toArray) return (await cursor.toArray()) as T[];
    throw new Error('AllRows: this driver version answers a sequence with a cursor that cannot be read on');
  }
}

/** Not plain JSON: a value the wire encoding leaves to the query builder. */
const NOT_PLAIN = Symbol('not plain JSON');

/**
 * `value` as a ReQL wire datum: an array as a MAKE_ARRAY term (a bare JSON array would be read as
 * a term), an object with its values so encoded, anything else as itself; NOT_PLAIN for a value
 * that is not plain JSON (a Date or a Buffer, which the builder turns into pseudo-types).
 */
function wireDatum(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? NOT_PLAIN : value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const encoded = wireDatum(item);
      if (encoded === NOT_PLAIN) return NOT_PLAIN;
      items.push(encoded);
    }
    return [MAKE_ARRAY, items];
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  // No prototype: a "__proto__" key (JSON.parse makes it an own key) must stay a key.
  const encoded = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    const datum = wireDatum(item);
    if (datum === NOT_PLAIN) return NOT_PLAIN;
    encoded[key] = datum;
  }
  return encoded;
}

/**
 * `r.db(db).table(table).insert(documents, {conflict, returnChanges})` ready to run, sent as its
 * wire JSON like GetByKey when the documents are plain JSON (what the gateway writes): the query
 * builder parses every value of every document into a term object first (~5% of an insert
 * request's gateway CPU in a profile). Anything else goes through the builder.
 */
export class InsertDocuments implements Runnable<WriteResult> {
  constructor(
    readonly db: string,
    readonly table: string,
    private readonly documents: readonly object[],
    private readonly options: { conflict: 'error' | 'replace' | 'update'; returnChanges?: 'always' },
  ) {}

  async run(connection: Connection, options?: RunOptions): Promise<WriteResult> {
    const { db, table, documents, options: insertOptions } = this;
    const built = () => tableTerm(db, table).insert([...documents], insertOptions);
    const datum = wireDatum(documents);
    if (datum === NOT_PLAIN) return (await built().run(connection, options)) as WriteResult;
    const optargs = insertOptions.returnChanges ? { conflict: insertOptions.conflict, return_changes: insertOptions.returnChanges } : { conflict: insertOptions.conflict };
    return (await runWire(connection, options, db, table, (tableJson) => [INSERT, [tableJson, datum], optargs], built)) as WriteResult;
  }
}
