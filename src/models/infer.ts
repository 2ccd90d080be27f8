import { isIsoDateTime } from '../schema/scalars.js';
import { byKey, type FieldModel, type FieldType, type TableModel } from './model.js';

const JSON_TYPE: FieldType = { kind: 'scalar', name: 'JSON' };
const INT32 = 2 ** 31;
/** The items of lists seen only empty (or all null): JSON unless another sample says more (compared by identity). */
const UNKNOWN_ITEMS: FieldType = { kind: 'scalar', name: 'JSON' };

/** How deep nested objects become nested types; deeper values are JSON (GraphQL depth limits make more useless). */
const MAX_DEPTH = 5;

/** The type of one value; undefined for null (null says nothing about the type). */
function typeOfValue(value: unknown, depth: number): FieldType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return { kind: 'scalar', name: 'Boolean' };
  if (typeof value === 'number') return { kind: 'scalar', name: Number.isInteger(value) && Math.abs(value) < INT32 ? 'Int' : 'Float' };
  if (typeof value === 'string') return { kind: 'scalar', name: isIsoDateTime(value) ? 'DateTime' : 'String' };
  if (value instanceof Date) return { kind: 'scalar', name: 'DateTime' };
  if (depth >= MAX_DEPTH) return JSON_TYPE;
  if (Array.isArray(value)) {
    const items = mergeAll(value.map((item) => typeOfValue(item, depth + 1)));
    return { kind: 'list', of: items ?? UNKNOWN_ITEMS };
  }
  if (typeof value === 'object') {
    const fields = inferFields([value as Record<string, unknown>], depth + 1);
    // An empty object says nothing of its fields (and GraphQL types need at least one).
    return fields.length > 0 ? { kind: 'object', fields } : JSON_TYPE;
  }
  return JSON_TYPE;
}

function mergeAll(types: readonly (FieldType | undefined)[]): FieldType | undefined {
  return types.reduce<FieldType | undefined>((merged, type) => (merged === undefined ? type : type === undefined ? merged : mergeTypes(merged, type)), undefined);
}

/** The type that holds both: Int and Float make Float, String and DateTime make String, anything else that disagrees is JSON. */
function mergeTypes(a: FieldType, b: FieldType): FieldType {
  if (a === UNKNOWN_ITEMS) return b;
  if (b === UNKNOWN_ITEMS) return a;
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    if (a.name === b.name) return a;
    const pair = [a.name, b.name].sort().join('+');
    if (pair === 'Float+Int') return { kind: 'scalar', name: 'Float' };
    if (pair === 'DateTime+String') return { kind: 'scalar', name: 'String' };
    return JSON_TYPE;
  }
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', of: mergeTypes(a.of, b.of) };
  if (a.kind === 'object' && b.kind === 'object') {
    const byField = new Map<string, FieldModel>(a.fields.map((field) => [field.key, field]));
    for (const field of b.fields) {
      const other = byField.get(field.key);
      byField.set(field.key, other ? { ...other, type: mergeTypes(other.type, field.type) } : field);
    }
    return { kind: 'object', fields: [...byField.values()].sort(byKey) };
  }
  return JSON_TYPE;
}

/**
 * The fields of a set of sample documents: every key seen, typed by the values seen (String, Int,
 * Float, Boolean, DateTime for ISO-8601 text and TIME values, nested objects, lists); a key whose
 * values disagree is JSON, one that was only ever null is JSON too. Inferred fields are never required.
 */
export function inferFields(documents: readonly Record<string, unknown>[], depth = 0): FieldModel[] {
  const types = new Map<string, FieldType | undefined>();
  for (const doc of documents) {
    for (const [key, value] of Object.entries(doc)) {
      const type = typeOfValue(value, depth);
      const seen = types.get(key);
      types.set(key, seen === undefined ? type : type === undefined ? seen : mergeTypes(seen, type));
    }
  }
  return [...types].map(([key, type]) => ({ key, type: type ?? JSON_TYPE, required: false })).sort(byKey);
}

/** A table's model inferred from a sample of its documents (the primary key is left out of the fields). */
export function inferModel(table: string, primaryKey: string, sample: readonly Record<string, unknown>[]): TableModel {
  return { table, primaryKey, declared: false, fields: inferFields(sample).filter((field) => field.key !== primaryKey) };
}
