import type { Document, OrderBy } from '../db/index.js';
import { BadInput } from '../errors/domain.js';
import { sortValue } from '../filter/order.js';
import { isJsonObject } from '../util/json.js';

// A cursor is the position of one row in one order: the row's orderBy values and primary key,
// with the table and the order they belong to, as base64url of a versioned JSON. It is opaque to
// clients but not secret (not signed: any gateway replica must read any other's cursors). A forged
// one can only say "rows past these values", which a `where` on the same visible fields says too:
// ordering by a hidden field is refused before any cursor is made, and a cursor holds nothing else
// but the primary key (refused too when hidden).

const VERSION = 1;
/** Longest cursor text read; a position of a few sort keys is far shorter. */
const MAX_CURSOR_LENGTH = 4096;
/** Deepest value a cursor may hold (the driver refuses datums nested 20 deep). */
const MAX_DEPTH = 12;

/** What a cursor belongs to: a table and an order (the primary key is always the last key). */
export interface CursorScope {
  readonly db: string;
  readonly table: string;
  readonly orderBy: readonly OrderBy[];
}

interface CursorBody {
  v: number;
  t: [string, string];
  o: [string, 'A' | 'D'][];
  k: unknown[];
}

const orderOf = (orderBy: readonly OrderBy[]): [string, 'A' | 'D'][] => orderBy.map(({ field, direction }) => [field, direction === 'DESC' ? 'D' : 'A']);

/** The cursor of `doc` in `scope`: its orderBy values (null where absent), then its primary key. */
export function encodeCursor(scope: CursorScope, primaryKey: string, doc: Document): string {
  const k = [...scope.orderBy.map(({ field }) => sortValue(doc, field.split('.'))), doc[primaryKey]];
  const body: CursorBody = { v: VERSION, t: [scope.db, scope.table], o: orderOf(scope.orderBy), k };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * The position a cursor names (one value per orderBy key, then the primary key): BadInput naming
 * the argument (`after` or `before`) when it is not a cursor of this gateway, or belongs to another
 * table or another orderBy.
 */
export function decodeCursor(argument: string, text: string, scope: CursorScope): unknown[] {
  const refuse = (why: string) => new BadInput(`${argument}: ${why}`, { argument });
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(text)) throw refuse('not a cursor (take cursors from edges, startCursor or endCursor as given)');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not a cursor (take cursors from edges, startCursor or endCursor as given)');
  }
  if (!isJsonObject(body) || body.v !== VERSION || !Array.isArray(body.t) || !Array.isArray(body.o) || !Array.isArray(body.k)) {
    throw refuse('not a cursor of this gateway, or made by another version of it');
  }
  const [db, table] = body.t as unknown[];
  if (db !== scope.db || table !== scope.table) throw refuse(`the cursor belongs to another table (${String(db)}.${String(table)}), not ${scope.db}.${scope.table}`);
  if (JSON.stringify(body.o) !== JSON.stringify(orderOf(scope.orderBy))) {
    throw refuse('the cursor was made for another orderBy; page with the orderBy it was made with, or start again without a cursor');
  }
  const key = body.k[body.k.length - 1];
  if (body.k.length !== scope.orderBy.length + 1 || (typeof key !== 'string' && typeof key !== 'number') || !body.k.every((value) => plain(value, 0))) {
    throw refuse('the cursor is damaged');
  }
  return body.k;
}

/** Plain JSON, not too deep, with no `$reql_type$` key (the database would read it as a pseudo-type). */
function plain(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => plain(item, depth + 1));
  if (isJsonObject(value)) return !('$reql_type$' in value) && Object.values(value).every((item) => plain(item, depth + 1));
  return true;
}
