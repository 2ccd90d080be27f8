import { r, type RCursor } from 'rethinkdb-ts';
import type { Document } from './document-types.js';
import type { WhereNode } from '../filter/ast.js';
import { matchesWhere } from '../filter/evaluate.js';
import type { ConnectionPool } from './pool.js';
import { classifyReqlError } from './reql-errors.js';
import { AllRows, asSequence, tableTerm } from './terms.js';
import type { Dialect } from './dialect.js';

/** One change as a table feed reports it: `old_val` null for an insert, `new_val` null for a delete. */
export interface RawChange {
  readonly old_val: Document | null;
  readonly new_val: Document | null;
}

export interface FeedHandlers {
  onChange(change: RawChange): void;
  /** The feed ended on its own (connection lost, server error). Called at most once, never after close(). */
  onEnd(error: Error): void;
}

/** An open changefeed; close() stops it and closes its connection. */
export interface OpenFeed {
  close(): Promise<void>;
}

/** How long closing a feed may wait for the server before the connection is dropped anyway. */
const CLOSE_TIMEOUT_MS = 1000;

function isRawChange(value: unknown): value is RawChange {
  return typeof value === 'object' && value !== null && 'new_val' in value && 'old_val' in value;
}

/**
 * Opens `r.db(db).table(table).changes()` on a dedicated no-delay connection and resolves once
 * the server has registered the feed (changes after that are reported). Throws a domain error
 * (NotFound for a missing table, Unavailable when the database cannot be reached).
 *
 * Why the bare table feed: reqlite rejects or gets wrong every narrower feed (filter, getAll,
 * orderBy/limit), and reading `new_val` of a delete inside a feed query kills a reqlite feed, so
 * filtering and typing are done by the caller in JS. The feed never reconnects by itself.
 */
export async function openTableFeed(pool: ConnectionPool, db: string, table: string, handlers: FeedHandlers): Promise<OpenFeed> {
  const connection = await pool.connect();
  let cursor: RCursor;
  try {
    cursor = await r.db(db).table(table).changes().run(connection);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw classifyReqlError(error);
  }
  let done = false;
  const end = (error: Error) => {
    if (done) return;
    done = true;
    handlers.onEnd(error);
    void connection.close().catch(() => undefined);
  };
  cursor.on('data', (row: unknown) => {
    if (!done && isRawChange(row)) handlers.onChange(row);
  });
  cursor.on('error', (error: unknown) => end(classifyReqlError(error) as Error));
  cursor.on('end', () => end(new Error(`the changefeed on ${db}.${table} ended`)));
  connection.once('close', () => end(new Error(`the connection of the changefeed on ${db}.${table} closed`)));
  return {
    async close() {
      if (done) return;
      done = true;
      // Stop the feed before closing the connection: reqlite leaks feeds of dropped connections.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      });
      await Promise.race([cursor.close().catch(() => undefined), timeout]);
      clearTimeout(timer);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Which documents a snapshot holds: those with one of `keys` as primary key (when given) that match `where` (when given). */
export interface SnapshotFilter {
  where?: WhereNode;
  keys?: readonly (string | number)[];
}

/**
 * Every document of the table that passes the filter, in one query, without a limit: the
 * state a subscription starts from or resynchronises to. With `keys` it reads those documents
 * by primary key (the dialect's `getMany`; `where` applied in JS); otherwise it filters on the
 * server with the dialect's filter (on RethinkDB, equality as an object filter).
 */
export async function readSnapshot(pool: ConnectionPool, dialect: Dialect, db: string, table: string, filter: SnapshotFilter): Promise<Document[]> {
  const { where, keys } = filter;
  if (keys) {
    const found = await pool.read(dialect.getMany(db, table, keys));
    return found.filter((doc): doc is Document => doc !== null && (!where || matchesWhere(where, doc)));
  }
  const rows = asSequence(tableTerm(db, table));
  return pool.read(new AllRows<Document>(where ? dialect.filter(rows, where) : rows));
}
