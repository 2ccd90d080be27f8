import { r, type MultiFieldSelector, type RDatum } from 'rethinkdb-ts';
import { BadInput } from '../errors/domain.js';
import { parseFieldPath } from '../filter/path.js';
import { fieldValue } from './paths.js';
import { checkStorable } from './storable.js';
import { isJsonObject } from '../util/json.js';

/**
 * Atomic update operators, applied by the database inside ONE `replace` of the document, so
 * concurrent writers never lose each other's changes (no read-modify-write in the gateway).
 * Keys are dotted field paths (`stats.wins`), as in `where`. A field that is absent or null
 * counts as 0 for `inc` and as an empty list for `append` / `prepend`.
 */
export interface UpdateOperators {
  /** Adds a number to a numeric field. */
  readonly inc?: unknown;
  /** Adds one element at the end of a list field. */
  readonly append?: unknown;
  /** Adds one element at the start of a list field. */
  readonly prepend?: unknown;
  /** Removes every element equal to the value from a list field (an absent field stays absent). */
  readonly removeFromArray?: unknown;
  /** Removes fields (a list of paths). */
  readonly unset?: unknown;
  /** Sets a field only when it is absent or null. */
  readonly setIfMissing?: unknown;
}

export type OperatorName = keyof UpdateOperators;

/** One operator on one field path. */
export interface FieldOperation {
  readonly operator: OperatorName;
  readonly field: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

/** At most this many field operations in one update (each one nests a term into the write). */
export const MAX_OPERATIONS = 100;

const mapOperators = ['inc', 'append', 'prepend', 'removeFromArray', 'setIfMissing'] as const;

/** The types (ReQL `typeOf`) each operator accepts in the stored field; NULL is absent too. */
const acceptedTypes: Partial<Record<OperatorName, { readonly types: readonly string[]; readonly noun: string }>> = {
  inc: { types: ['NUMBER', 'NULL'], noun: 'a number' },
  append: { types: ['ARRAY', 'NULL'], noun: 'a list' },
  prepend: { types: ['ARRAY', 'NULL'], noun: 'a list' },
  removeFromArray: { types: ['ARRAY', 'NULL'], noun: 'a list' },
};

/**
 * Checks the operators (and which fields the patch sets) and lists the field operations.
 * Refused with BadInput naming the operator and field: a non-object operator argument, a
 * non-numeric `inc`, an operator on the primary key, or two writes (operators or patch keys)
 * to the same field or to a field and a field inside it (their order would be ambiguous).
 */
export function parseUpdateOperators(operators: UpdateOperators, patch: Record<string, unknown> | undefined, primaryKey: string): FieldOperation[] {
  const operations: FieldOperation[] = [];
  for (const operator of mapOperators) {
    const argument = operators[operator];
    if (argument === undefined || argument === null) continue;
    if (!isJsonObject(argument)) throw new BadInput(`${operator} must be an object of field paths to values`, { operator });
    for (const [field, value] of Object.entries(argument)) {
      if (operator === 'inc' && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new BadInput(`inc needs a finite number for "${field}"`, { operator, field });
      }
      checkStorable(value, `${operator}.${field}`);
      operations.push({ operator, field, path: parseFieldPath(field), value });
    }
  }
  if (operators.unset !== undefined && operators.unset !== null) {
    if (!Array.isArray(operators.unset) || operators.unset.some((field) => typeof field !== 'string')) {
      throw new BadInput('unset must be a list of field paths', { operator: 'unset' });
    }
    for (const field of operators.unset as string[]) operations.push({ operator: 'unset', field, path: parseFieldPath(field), value: null });
  }
  if (operations.length > MAX_OPERATIONS) throw new BadInput(`${operations.length} update operations; the maximum is ${MAX_OPERATIONS}`);
  const written = [...Object.keys(patch ?? {}).map((field) => ({ operator: 'patch', field, path: [field] })), ...operations];
  for (const [i, a] of written.entries()) {
    if (a.operator !== 'patch' && a.path[0] === primaryKey) throw new BadInput(`the primary key "${primaryKey}" cannot be changed`, { field: primaryKey, operator: a.operator });
    for (const b of written.slice(i + 1)) {
      if (a.path.every((segment, j) => j >= b.path.length || b.path[j] === segment)) {
        throw new BadInput(`"${a.field}" (${a.operator}) and "${b.field}" (${b.operator}) write the same field; give each field once`, { field: b.field });
      }
    }
  }
  return operations;
}

/** `{a: {b: value}}` for the path a.b. */
function nested(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, segment, i) => (i === path.length - 1 ? { [segment]: value } : { [segment]: inner }), {});
}

/** The document after one operation (the checks of `typeChecked` have passed). */
function applied(doc: RDatum, { operator, path, value }: FieldOperation): RDatum {
  const current = fieldValue(doc, path);
  const absent = current.typeOf().eq('NULL');
  switch (operator) {
    case 'inc':
      return doc.merge(nested(path, r.branch(absent, 0, current).add(value as number)));
    case 'append':
      return doc.merge(nested(path, r.branch(absent, r.expr([]), current).append(value)));
    case 'prepend':
      return doc.merge(nested(path, r.branch(absent, r.expr([]), current).prepend(value)));
    case 'removeFromArray':
      return r.branch(absent, doc, doc.merge(nested(path, current.difference([value]))));
    case 'setIfMissing':
      return r.branch(absent, doc.merge(nested(path, value)), doc);
    case 'unset':
      return doc.without(nested(path, true) as MultiFieldSelector);
  }
}

/**
 * The write's error message when a stored field has the wrong type: the gateway recognises
 * it by this prefix and answers BAD_USER_INPUT naming the field (and nothing is written: the
 * replace fails as a whole).
 */
const TYPE_ERROR_PREFIX = 'update operator ';

/** Wraps `result` in checks, on the stored document, that every operation's field has a type it accepts. */
function typeChecked(old: RDatum, operations: readonly FieldOperation[], result: RDatum): RDatum {
  let term = result;
  for (const { operator, field, path } of [...operations].reverse()) {
    // Every step before the last must be an object (or absent): merging into a number would replace it.
    for (let depth = path.length - 1; depth >= 1; depth--) {
      const parent = fieldValue(old, path.slice(0, depth)).typeOf();
      const message: RDatum<string> = r.add<string>(`${TYPE_ERROR_PREFIX}${operator} cannot write "${field}": "${path.slice(0, depth).join('.')}" holds `, parent, ', not an object');
      term = r.branch(r.expr(['OBJECT', 'NULL']).contains(parent), term, r.error(message));
    }
    const accepted = acceptedTypes[operator];
    if (!accepted) continue;
    const type = fieldValue(old, path).typeOf();
    const message: RDatum<string> = r.add<string>(`${TYPE_ERROR_PREFIX}${operator} needs ${accepted.noun} at "${field}" but it holds `, type);
    term = r.branch(r.expr(accepted.types).contains(type), term, r.error(message));
  }
  return term;
}

/**
 * The replacement document for `old`: unset fields removed, `patch` deep-merged (as `update`
 * does), then every operation applied; or a ReQL error when a stored field has the wrong type.
 */
export function updatedDocument(old: RDatum, patch: Record<string, unknown> | undefined, operations: readonly FieldOperation[]): RDatum {
  let doc = patch && Object.keys(patch).length > 0 ? old.merge(patch) : old;
  for (const operation of operations) doc = applied(doc, operation);
  return typeChecked(old, operations, doc);
}

/** ReQL type names as a sentence says them. */
const typeNames: Readonly<Record<string, string>> = {
  NUMBER: 'a number',
  STRING: 'a string',
  BOOL: 'a boolean',
  ARRAY: 'a list',
  OBJECT: 'an object',
  NULL: 'null',
};

/** BadInput for a failed write caused by an operator type check, or undefined for any other failure. */
export function operatorTypeError(firstError: string): BadInput | undefined {
  if (!firstError.startsWith(TYPE_ERROR_PREFIX)) return undefined;
  const message = (firstError.slice(TYPE_ERROR_PREFIX.length).split('\n')[0] ?? '')
    .replace(/\.$/, '')
    .replace(/holds ([A-Z_<>]+)/, (_match, type: string) => `holds ${typeNames[type] ?? type.toLowerCase()}`);
  const field = /"([^"]+)"/.exec(message)?.[1];
  return new BadInput(message, field === undefined ? {} : { field });
}

/** The field paths the operators write (for permission checks), without validating them. */
export function operatorFields(operators: UpdateOperators): string[] {
  const fields: string[] = [];
  for (const operator of mapOperators) {
    const argument = operators[operator];
    if (isJsonObject(argument)) fields.push(...Object.keys(argument));
  }
  if (Array.isArray(operators.unset)) fields.push(...operators.unset.filter((field): field is string => typeof field === 'string'));
  return fields;
}
