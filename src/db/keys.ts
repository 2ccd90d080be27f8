import { r, type RDatum, type RTable } from 'rethinkdb-ts';

/**
 * Candidate primary keys for a GraphQL `ID` (always a string): the string itself, and for
 * canonical integers also the number, because documents keyed by numbers are common and
 * GraphQL cannot tell `1` from `"1"`. The string wins when both exist.
 */
export function keyCandidates(id: string): (string | number)[] {
  const n = Number(id);
  return /^-?(0|[1-9]\d{0,15})$/.test(id) && Number.isSafeInteger(n) ? [id, n] : [id];
}

/** Whether a document with this key exists, inside a query (the dialect's plan: src/db/dialect.ts). */
export type ExistsTerm = (table: RTable, key: unknown) => RDatum<boolean>;

/**
 * `exists` on any backend. Not `get(key).ne(null)`: reqlite's `get` of a missing key compares
 * unequal to null inside queries (it is an internal "missing document"); `getAll(key).count()`
 * is right on both backends, but reqlite's getAll scans the table.
 */
export const existsByGetAll: ExistsTerm = (table, key) => table.getAll(key as string).count().gt(0);

/** `exists` on RethinkDB: one primary-key lookup. */
export const existsByGet: ExistsTerm = (table, key) => table.get(key as string).ne(null);

/** Runs `write` on the document with key `id` (or its numeric twin), in one query. @default exists existsByGetAll */
export function byKey(table: RTable, id: string, write: (key: string | number) => RDatum, exists: ExistsTerm = existsByGetAll): RDatum {
  const [text, number] = keyCandidates(id);
  if (number === undefined) return write(id);
  return r.branch(exists(table, text as string), write(text as string), write(number));
}
