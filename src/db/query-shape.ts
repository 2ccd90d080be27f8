import { TermType } from 'rethinkdb-ts/lib/proto/enums.js';
import { wireJson } from './driver-internals.js';
import type { Runnable } from './pool.js';
import { GetByKey, GetByKeys, InsertDocuments } from './terms.js';

/** What a trace may say of a query: its term type and the table it reads or writes — never a value. */
export interface QueryShape {
  /** The outermost ReQL term type, as ql2.proto names it (GET, GET_ALL, INSERT, MAP…); 'UNKNOWN' when the driver hides it. */
  term: string;
  db?: string;
  table?: string;
}

/** Terms that only wrap the real operation (a result coercion, a default): the operation is inside. */
const WRAPPERS = new Set<number>([TermType.COERCE_TO, TermType.DEFAULT]);
/** Terms whose arguments are data (an array or object literal): never walked, so a large insert costs nothing to describe. */
const DATA = new Set<number>([TermType.MAKE_ARRAY, TermType.MAKE_OBJ, TermType.DATUM, TermType.JSON, TermType.BINARY]);
/** The walk's bound, for a pathological query tree. */
const MAX_VISITS = 64;

type Wire = [number, unknown[]?, unknown?];

function isTerm(value: unknown): value is Wire {
  return Array.isArray(value) && typeof value[0] === 'number';
}

/** The first TABLE term in the tree (depth first): its table and database names. */
function findTable(root: Wire): { db?: string; table?: string } {
  const stack: Wire[] = [root];
  for (let visits = 0; stack.length > 0 && visits < MAX_VISITS; visits++) {
    const [type, args = []] = stack.pop() as Wire;
    if (type === TermType.TABLE) {
      const [first, second] = args;
      if (typeof first === 'string') return { table: first };
      const db = isTerm(first) && first[0] === TermType.DB && typeof first[1]?.[0] === 'string' ? first[1][0] : undefined;
      return { db, table: typeof second === 'string' ? second : undefined };
    }
    if (DATA.has(type)) continue;
    for (let i = args.length - 1; i >= 0; i--) if (isTerm(args[i])) stack.push(args[i] as Wire);
  }
  return {};
}

/**
 * The term type and table of a query about to run, for a database span (only called with tracing
 * on). Walks the term's wire JSON, skipping data literals, so document values are never read.
 */
export function describeQuery(query: Runnable<unknown>): QueryShape {
  if (query instanceof GetByKey) return { term: 'GET', db: query.db, table: query.table };
  if (query instanceof GetByKeys) return { term: 'GET_ALL', db: query.db, table: query.table };
  if (query instanceof InsertDocuments) return { term: 'INSERT', db: query.db, table: query.table };
  const raw = wireJson(query);
  if (!isTerm(raw)) return { term: 'UNKNOWN' };
  let wire: Wire = raw;
  while (WRAPPERS.has(wire[0]) && isTerm(wire[1]?.[0])) wire = wire[1][0] as Wire;
  return { term: TermType[wire[0]] ?? String(wire[0]), ...findTable(wire) };
}
