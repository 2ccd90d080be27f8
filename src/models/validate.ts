import type { UpdateOperators } from '../db/index.js';
import { BadInput } from '../errors/domain.js';
import { isIsoDateTime } from '../schema/scalars.js';
import { isPlainObject, type FieldModel, type FieldType, type TableModel } from './model.js';

/** How a write uses a document: a whole new document (insert, replace) or a patch merged into one. */
export type WriteKind = 'document' | 'patch';


function describe(type: FieldType): string {
  switch (type.kind) {
    case 'scalar':
      return type.name;
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'object':
      return 'an object';
    case 'list':
      return `a list of ${describe(type.of)}`;
  }
}

function fits(type: FieldType, value: unknown, path: string, kind: WriteKind): boolean {
  switch (type.kind) {
    case 'scalar':
      switch (type.name) {
        case 'String':
          return typeof value === 'string';
        case 'Int':
          return Number.isSafeInteger(value);
        case 'Float':
          return typeof value === 'number' && Number.isFinite(value);
        case 'Boolean':
          return typeof value === 'boolean';
        case 'DateTime':
          return isIsoDateTime(value);
        case 'ID':
          return typeof value === 'string' || Number.isSafeInteger(value);
        case 'JSON':
          return true;
      }
      return false;
    case 'enum':
      return typeof value === 'string' && type.values.includes(value);
    case 'object':
      if (!isPlainObject(value)) return false;
      checkFields(type.fields, value, `${path}.`, kind);
      return true;
    case 'list':
      if (!Array.isArray(value)) return false;
      value.forEach((item, i) => {
        if (item !== null && !fits(type.of, item, `${path}[${i}]`, kind)) throw wrongType(`${path}[${i}]`, type.of, item);
      });
      return true;
  }
}

function wrongType(path: string, type: FieldType, value: unknown): BadInput {
  return new BadInput(`field "${path}" must be ${describe(type)} (got ${JSON.stringify(value)?.slice(0, 80)})`, { field: path });
}

function checkFields(fields: readonly FieldModel[], doc: Record<string, unknown>, prefix: string, kind: WriteKind): void {
  for (const field of fields) {
    const path = `${prefix}${field.key}`;
    const value = doc[field.key];
    if (value === undefined || value === null) {
      // A patch may leave a required field out (it keeps its value), but not set it to null.
      if (field.required && (kind === 'document' || value === null)) throw new BadInput(`field "${path}" is required`, { field: path });
      continue;
    }
    if (!fits(field.type, value, path, kind)) throw wrongType(path, field.type, value);
  }
}

/**
 * Checks a document or patch against a declared model before anything is written: every
 * declared field present has its declared type, and required fields are present and not null
 * (a patch may omit them). Fields the model does not declare are left alone. Inferred models
 * are not checked (a sample is not a contract). Throws BadInput naming the field (`label` says
 * which document of a batch, e.g. `players[2]`).
 */
export function checkWrite(model: TableModel, doc: Record<string, unknown>, kind: WriteKind, label?: string): void {
  if (!model.declared) return;
  try {
    checkFields(model.fields, doc, '', kind);
  } catch (error) {
    if (label && error instanceof BadInput) throw new BadInput(`${label}: ${error.message}`, { ...error.details, document: label });
    throw error;
  }
}

/** The declared field at a dotted path (through nested object fields), or undefined. */
function declaredField(fields: readonly FieldModel[], path: readonly string[]): FieldModel | undefined {
  const [head, ...rest] = path;
  const field = fields.find((candidate) => candidate.key === head);
  if (!field || rest.length === 0) return field;
  return field.type.kind === 'object' ? declaredField(field.type.fields, rest) : undefined;
}

const isJson = (type: FieldType) => type.kind === 'scalar' && type.name === 'JSON';

/**
 * Checks atomic update operators against a declared model before anything is written: `inc`
 * only on Int/Float (an Int by a whole number), `append`/`prepend`/`removeFromArray` only on
 * lists and with elements of the list's type, `setIfMissing` with a value of the field's type,
 * and never `unset` of a required field. Undeclared and JSON fields are left alone (the
 * database still refuses an operator on a stored value of the wrong type).
 */
export function checkOperators(model: TableModel, operators: UpdateOperators): void {
  if (!model.declared) return;
  const entries = (name: keyof UpdateOperators): [string, unknown][] => {
    const argument = operators[name];
    if (name === 'unset') return Array.isArray(argument) ? argument.map((field) => [String(field), undefined]) : [];
    return isPlainObject(argument) ? Object.entries(argument) : [];
  };
  for (const name of ['inc', 'append', 'prepend', 'removeFromArray', 'setIfMissing', 'unset'] as const) {
    for (const [path, value] of entries(name)) {
      const field = declaredField(model.fields, path.split('.'));
      if (!field || isJson(field.type)) continue;
      const refuse = (why: string) => new BadInput(`${name} cannot write field "${path}": ${why}`, { field: path, operator: name });
      const type = field.type;
      if (name === 'unset' && field.required) throw refuse('it is required');
      if (name === 'inc') {
        const numeric = type.kind === 'scalar' && (type.name === 'Int' || type.name === 'Float');
        if (!numeric) throw refuse(`it is declared ${describe(type)}, not a number`);
        if (type.kind === 'scalar' && type.name === 'Int' && !Number.isSafeInteger(value)) throw refuse('it is declared Int, so it takes whole numbers');
      }
      if (name === 'append' || name === 'prepend' || name === 'removeFromArray') {
        if (type.kind !== 'list') throw refuse(`it is declared ${describe(type)}, not a list`);
        if (value !== null && !fits(type.of, value, path, 'document')) throw wrongType(`${path}[]`, type.of, value);
      }
      if (name === 'setIfMissing' && value !== null && !fits(type, value, path, 'document')) throw wrongType(path, type, value);
    }
  }
}
