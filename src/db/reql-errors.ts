import { isRethinkDBError, RethinkDBErrorType } from 'rethinkdb-ts';
import { BadInput, Conflict, DomainError, NotFound, Unavailable } from '../errors/domain.js';
import { operatorTypeError } from './update-operators.js';

/**
 * First lines of the errors RethinkDB 2.4 sends about a table it cannot serve right now (just
 * created, a primary replica down or being elected, its servers unreachable), as captured from a
 * real 2.4.4 server: test/availability.test.ts holds the texts. reqlite sends none of them.
 * `Cannot perform read:`/`write:` go on with the reason ("primary replica for shard [...] not
 * available", "no replica is available", "lost contact with primary replica"), unlike the query
 * errors `Cannot perform get_field on a non-object …`, which are bad input.
 */
const AVAILABILITY = [
  /^Cannot perform (read|write): /,
  /^cannot subscribe to table `[^`]*`: /,
  /^The server\(s\) hosting table `[^`]*` are currently unreachable/,
  // A write reads the table's configuration first (for write hooks): "Unexpected exception: The
  // attempt to read or modify the table's configuration failed because none of the servers were
  // accessible.  If it was an attempt to modify, the modification did not take place".
  /configuration failed because none of the servers were accessible/,
  /^Timed out while waiting for tables/,
  // Two servers of a cluster created the same name at once (Catalog.dropDuplicates removes the extra).
  /^(Table|Database) `[^`]*` is ambiguous; there are multiple/,
];

/**
 * The database answered, but cannot serve the table right now (RethinkDB: just created, its
 * primary replica down or being elected). UNAVAILABLE like a database that cannot be reached;
 * a type of its own so that the typed schema can leave such a table out and keep the others.
 */
export class TableUnavailable extends Unavailable {}

/** TableUnavailable (retryable) for a failure whose effect on the data is known (`applied: false`) or not (`undefined`), said in the message. */
function unavailable(text: string, applied: false | undefined): TableUnavailable {
  if (applied === false) return new TableUnavailable(`the table is not available right now (${text}); nothing was changed; retry shortly`, { retryable: true });
  return new TableUnavailable(`the database could not complete the operation (${text}): a write may or may not have been applied; read the data before retrying`, {
    retryable: true,
    outcome: 'unknown',
  });
}

/**
 * The Unavailable error for a per-document error of a write result (`first_error`) that says the
 * table was not available, else undefined. RethinkDB does not say whether such a write was
 * applied, so the message says the outcome is unknown (`details.outcome: 'unknown'`).
 */
export function availabilityErrorOf(firstError: string | undefined): Unavailable | undefined {
  const text = (firstError ?? '').split('\n')[0] ?? '';
  return AVAILABILITY.some((pattern) => pattern.test(text)) ? unavailable(text, undefined) : undefined;
}

/**
 * Turns an error from the driver into a domain error where its meaning is known.
 *
 * reqlite never sends RethinkDB's error-type field (everything is ReqlUnknownError), so the
 * message is what we classify by; the texts match RethinkDB 2.4's (reqlite drops the period).
 * Availability errors (a table the server cannot serve right now) are Unavailable with
 * `retryable: true`: "nothing was changed" when the server refused the query before doing
 * anything, "may or may not have been applied" when it says the outcome is unknown
 * (ReqlOpIndeterminateError) or the connection broke while the query ran.
 * Unknown errors are returned unchanged: they stay masked for clients and are logged.
 */
export function classifyReqlError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DomainError) return error;
  const message = error.message.split('\n')[0] ?? '';
  let match: RegExpMatchArray | null;
  if ((match = message.match(/^Table `([^`.]+)\.([^`]+)` does not exist/))) {
    return new NotFound(`table "${match[2]}" does not exist in database "${match[1]}"`, { database: match[1], table: match[2] });
  }
  if ((match = message.match(/^Database `([^`]+)` does not exist/))) {
    return new NotFound(`database "${match[1]}" does not exist`, { database: match[1] });
  }
  if ((match = message.match(/^Table `([^`.]+)\.([^`]+)` already exists/))) {
    return new Conflict(`table "${match[2]}" already exists in database "${match[1]}"`, { database: match[1], table: match[2] });
  }
  if ((match = message.match(/^Database `([^`]+)` already exists/))) {
    return new Conflict(`database "${match[1]}" already exists`, { database: match[1] });
  }
  if ((match = message.match(/^Index `([^`]+)` already exists/))) {
    return new Conflict(`index "${match[1]}" already exists`, { index: match[1] });
  }
  if (/^Duplicate primary key/.test(message)) {
    return new Conflict(message.replace(/:\s*\{[\s\S]*$/, ''));
  }
  const text = message.replace(/ in:$/, '');
  if (isRethinkDBError(error) && error.type === RethinkDBErrorType.OP_INDETERMINATE) return unavailable(text, undefined);
  if (AVAILABILITY.some((pattern) => pattern.test(text))) return unavailable(text, false);
  if (/connection was closed|ECONNRESET/i.test(message)) {
    return new Unavailable(`the database connection broke during the query (${message}): a write may or may not have been applied; read the data before retrying`, {
      retryable: true,
      outcome: 'unknown',
    });
  }
  if (/connection is closed|with a closed connection|None of the pools have an opened connection|ECONNREFUSED/i.test(message)) {
    return new Unavailable(`the database connection failed: ${message}`, { retryable: true });
  }
  if (/Nesting depth limit exceeded/.test(message)) {
    return new BadInput('a value is nested too deeply: RethinkDB accepts at most 20 levels of nesting');
  }
  if (/^(Expected type|Cannot perform|Cannot compare|Not a TIME|Error in regexp|Invalid regular expression)/.test(message)) {
    return new BadInput(text);
  }
  return error;
}

/** The error a guarded write raises inside the query when the document does not match its guard (`r.error(OUTSIDE_GUARD)`). */
export const OUTSIDE_GUARD = 'document outside the write guard';

/**
 * A write refused by its guard (the document does not match the caller's row rule). A BadInput
 * like any failed write; a write to one document reports it as NotFound instead, so the caller
 * does not learn that the document exists.
 */
export class OutsideGuard extends BadInput {}

/**
 * The domain error for a write whose documents failed (RethinkDB reports them in the result's
 * `first_error`, not by throwing): OutsideGuard for the guard's error, the update operators'
 * type errors, "the primary key cannot be changed", Unavailable when the table was not available
 * (availabilityErrorOf), else BadInput with the error's first line.
 */
export function writeErrorOf(firstError: string | undefined): BadInput | Unavailable {
  const unavailableTable = availabilityErrorOf(firstError);
  if (unavailableTable) return unavailableTable;
  const message = firstError ?? 'write failed';
  if (message.startsWith(OUTSIDE_GUARD)) return new OutsideGuard(message.split('\n')[0] ?? message);
  const operatorError = operatorTypeError(message);
  if (operatorError) return operatorError;
  if (/Primary key .* cannot be changed/.test(message)) return new BadInput('the primary key cannot be changed');
  return new BadInput(message.split('\n')[0] ?? message);
}
