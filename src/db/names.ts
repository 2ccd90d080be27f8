import { BadInput } from '../errors/domain.js';

/** RethinkDB's rule (letters, digits, underscore; it also allows '-') narrowed by RDM's: no leading digit. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The system database: never reachable through the gateway. */
export const SYSTEM_DB = 'rethinkdb';

/**
 * Checks a database, table or index name before it reaches a query.
 * @returns the name, unchanged. Throws BadInput naming the offending value.
 */
export function checkName(kind: 'database' | 'table' | 'index' | 'primary key', name: string): string {
  if (!NAME.test(name)) {
    throw new BadInput(
      `invalid ${kind} name ${JSON.stringify(name.slice(0, 80))}: use 1-64 letters, digits and underscores, not starting with a digit`,
      { [kind === 'primary key' ? 'primaryKey' : kind]: name.slice(0, 80) },
    );
  }
  if (kind === 'database' && name === SYSTEM_DB) {
    throw new BadInput(`the system database "${SYSTEM_DB}" is not reachable through the gateway`, { database: name });
  }
  return name;
}
