import { BadInput, Conflict, DomainError, NotFound, Unavailable } from '../errors/domain.js';
import { operatorTypeError } from './update-operators.js';

/**
 * Turns an error from the driver into a domain error where its meaning is known.
 *
 * reqlite never sends RethinkDB's error-type field (everything is ReqlUnknownError), so the
 * message is what we classify by; the texts match RethinkDB 2.4's (reqlite drops the period).
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
  if (/connection (was closed|is closed)|None of the pools have an opened connection|ECONNREFUSED|ECONNRESET/i.test(message)) {
    return new Unavailable(`the database connection failed: ${message}`, { retryable: true });
  }
  if (/Nesting depth limit exceeded/.test(message)) {
    return new BadInput('a value is nested too deeply: RethinkDB accepts at most 20 levels of nesting');
  }
  if (/^(Expected type|Cannot perform|Cannot compare|Not a TIME|Error in regexp|Invalid regular expression)/.test(message)) {
    return new BadInput(message.replace(/ in:$/, ''));
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
 * type errors, "the primary key cannot be changed", else BadInput with the error's first line.
 */
export function writeErrorOf(firstError: string | undefined): BadInput {
  const message = firstError ?? 'write failed';
  if (message.startsWith(OUTSIDE_GUARD)) return new OutsideGuard(message.split('\n')[0] ?? message);
  const operatorError = operatorTypeError(message);
  if (operatorError) return operatorError;
  if (/Primary key .* cannot be changed/.test(message)) return new BadInput('the primary key cannot be changed');
  return new BadInput(message.split('\n')[0] ?? message);
}
