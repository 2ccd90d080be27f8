import { r, type RTable } from 'rethinkdb-ts';

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
