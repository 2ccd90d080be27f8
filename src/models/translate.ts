import { keyCandidates, type OrderBy } from '../db/index.js';
import { isPlainObject, type FieldModel, type TableModel } from './model.js';
import { fieldNameOf } from './names.js';

/** Typed arguments as GraphQL hands them over: keyed by GraphQL names. */
export type TypedInput = Readonly<Record<string, unknown>>;


/** The fields of a model as a GraphQL name -> field map (the primary key included as a plain ID field). */
function byGraphqlName(fields: readonly FieldModel[]): Map<string, FieldModel> {
  return new Map(fields.map((field) => [fieldNameOf(field.key), field]));
}

export function fieldsWithKey(model: TableModel): FieldModel[] {
  return [{ key: model.primaryKey, type: { kind: 'scalar', name: 'ID' }, required: false }, ...model.fields];
}

function documentFrom(fields: readonly FieldModel[], input: TypedInput): Record<string, unknown> {
  const byName = byGraphqlName(fields);
  const doc: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    const field = byName.get(name);
    if (!field || value === undefined) continue;
    doc[field.key] = valueFrom(field, value);
  }
  return doc;
}

function valueFrom(field: FieldModel, value: unknown): unknown {
  const type = field.type.kind === 'list' ? field.type.of : field.type;
  if (type.kind !== 'object') return value;
  const convert = (item: unknown) => (isPlainObject(item) ? documentFrom(type.fields, item) : item);
  return field.type.kind === 'list' && Array.isArray(value) ? value.map(convert) : convert(value);
}

/** A typed input object (PlayerInput, PlayerPatch) as a document keyed by the stored keys. */
export function documentOf(model: TableModel, input: TypedInput): Record<string, unknown> {
  return documentFrom(fieldsWithKey(model), input);
}

/**
 * A typed filter (PlayerWhere) as the generic `where` of src/db/filter.ts: field names become
 * stored keys, nested object filters become dotted paths, and/or/not are kept.
 */
export function whereOf(model: TableModel, where: TypedInput | null | undefined): Record<string, unknown> | undefined {
  if (!where) return undefined;
  return whereFrom(fieldsWithKey(model), where, '', true);
}

function whereFrom(fields: readonly FieldModel[], where: TypedInput, prefix: string, root: boolean): Record<string, unknown> {
  const byName = byGraphqlName(fields);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (root && (name === 'and' || name === 'or') && Array.isArray(value)) {
      out[name] = value.map((item: TypedInput) => whereFrom(fields, item, prefix, true));
    } else if (root && name === 'not' && isPlainObject(value)) {
      out.not = whereFrom(fields, value, prefix, true);
    } else {
      const field = byName.get(name);
      if (!field || !isPlainObject(value) || Object.keys(value).length === 0) continue;
      const path = `${prefix}${field.key}`;
      if (field.type.kind === 'object') Object.assign(out, whereFrom(field.type.fields, value, `${path}.`, false));
      else out[path] = field.type.kind === 'scalar' && field.type.name === 'ID' ? idTests(value) : { ...value };
    }
  }
  return out;
}

const candidates = (value: unknown): unknown[] => (typeof value === 'string' ? keyCandidates(value) : [value]);

/**
 * Tests on an ID field (a primary key or a pointer): a GraphQL ID is text, but documents keyed
 * by numbers are common, so "7" also matches 7, as `player(id: "7")` does: eq/ne become in/nin
 * over both forms (unless in/nin is given too), in/nin list both forms.
 */
function idTests(tests: Record<string, unknown>): Record<string, unknown> {
  const out = new Map(Object.entries(tests));
  for (const op of ['in', 'nin'] as const) {
    const list = out.get(op);
    if (Array.isArray(list)) out.set(op, list.flatMap(candidates));
  }
  for (const [op, list] of [['eq', 'in'], ['ne', 'nin']] as const) {
    const value = out.get(op);
    if (typeof value === 'string' && !out.has(list) && candidates(value).length > 1) {
      out.set(list, candidates(value));
      out.delete(op);
    }
  }
  return Object.fromEntries(out);
}

/** Typed sort keys (PlayerOrderBy: the field enum's value is already the stored key) as generic ones. */
export function orderOf(orderBy: readonly { field: string; direction?: 'ASC' | 'DESC' | null }[] | null | undefined): OrderBy[] | undefined {
  return orderBy?.map(({ field, direction }) => ({ field, direction: direction ?? 'ASC' }));
}
