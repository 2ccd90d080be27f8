import { Socket } from 'node:net';
import { r, type Connection, type RunOptions } from 'rethinkdb-ts';

/**
 * The only places the gateway reaches past rethinkdb-ts's public API, each for speed and each
 * with a fallback to the public API. package.json pins the driver's exact version; should another
 * version move one of these, `missingDriverInternals` names the fallback that engages, and the
 * pool logs it once and counts it in `/metrics` (`rethinkql_driver_fallback`).
 *
 * - `socket-cork`: the connection's TCP socket, to send the queries of one event-loop turn in one
 *   write (db/pool.ts). Fallback: one write per query.
 * - `wire-query`: the connection's `query(term)` and a term's wire JSON (`term.term`), to send a
 *   get by id as `[GET, [table, key]]` without building a query-builder term (db/terms.ts).
 *   Fallback: the query builder.
 */
export type DriverFeature = 'socket-cork' | 'wire-query';

/** What the driver's `query` answers with: a cursor over the response's batches. */
export interface WireCursor {
  /** Reads the next response: its results (one value for an atom, a batch of rows for a sequence). */
  resolve(): Promise<unknown[] | undefined>;
  /** 'Atom' for a single value, 'Cursor' for a sequence, a feed type for changefeeds (optional: the fallback runs the term). */
  getType?(): string;
  /** Set by `resolve`: more batches of the sequence are to come. */
  hasNextBatch?: boolean;
  /** Every row of the sequence from the current batch on (reads the later batches). */
  toArray?(): Promise<unknown[]>;
}

interface QueryingConnection {
  query(term: unknown, options?: RunOptions): Promise<WireCursor | undefined>;
}

/** The driver connection's TCP socket (kept at `socket.socket`, untyped), if this driver version has it there. */
export function socketOf(connection: Connection): Socket | undefined {
  const inner = (connection as Connection & { socket?: { socket?: unknown } }).socket?.socket;
  return inner instanceof Socket ? inner : undefined;
}

/** The connection's wire-term `query` (what `run` itself calls), if this driver version has it. */
export function wireQuery(connection: Connection): QueryingConnection['query'] | undefined {
  const { query } = connection as Partial<QueryingConnection>;
  return typeof query === 'function' ? query.bind(connection) : undefined;
}

/** A query-builder term's wire JSON, if this driver version keeps it at `term`. */
export function wireJson(term: object): unknown {
  return (term as { term?: unknown }).term;
}

/** The internals this connection lacks: each names a fallback that is now in use. */
export function missingDriverInternals(connection: Connection): DriverFeature[] {
  const missing: DriverFeature[] = [];
  if (!socketOf(connection)) missing.push('socket-cork');
  if (!wireQuery(connection) || wireJson(r.expr(1)) === undefined) missing.push('wire-query');
  return missing;
}
