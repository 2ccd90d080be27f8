import { readFileSync } from 'node:fs';
import { checkName } from '../db/names.js';
import { byKey, isPlainObject, SCALAR_TYPES, type FieldModel, type FieldType, type ScalarTypeName, type TableModel } from './model.js';

/** A models file could not be used; the message names the file and the offending entry. */
export class ModelsError extends Error {
  override readonly name = 'ModelsError';
}

const FIELD_KEYS = new Set(['type', 'required', 'values', 'fields', 'pointer', 'reverse', 'description']);

function parseType(spec: Record<string, unknown>, where: string): FieldType {
  const text = spec.type;
  if (typeof text !== 'string') throw new ModelsError(`${where}: "type" must be a string such as "String", "[Int]", "enum" or "object"`);
  const list = /^\[(.+)\]$/.exec(text);
  if (list) return { kind: 'list', of: parseType({ ...spec, type: list[1] }, where) };
  if (text === 'enum') {
    const values = spec.values;
    if (!Array.isArray(values) || values.length === 0 || !values.every((value) => typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value))) {
      throw new ModelsError(`${where}: an enum needs "values", a non-empty list of names (letters, digits, underscores)`);
    }
    if (new Set(values).size !== values.length) throw new ModelsError(`${where}: enum values repeat`);
    const reserved = values.find((value) => ['true', 'false', 'null'].includes(value));
    if (reserved) throw new ModelsError(`${where}: "${reserved}" cannot be an enum value in GraphQL`);
    return { kind: 'enum', values: values as string[] };
  }
  if (text === 'object') {
    if (!isPlainObject(spec.fields) || Object.keys(spec.fields).length === 0) throw new ModelsError(`${where}: an object needs "fields" (at least one)`);
    return { kind: 'object', fields: parseFields(spec.fields, where) };
  }
  if (!(SCALAR_TYPES as readonly string[]).includes(text)) {
    throw new ModelsError(`${where}: unknown type "${text}" (use ${SCALAR_TYPES.join(', ')}, enum, object, or [type] for a list)`);
  }
  return { kind: 'scalar', name: text as ScalarTypeName };
}

function parseField(key: string, raw: unknown, where: string): FieldModel {
  const spec = typeof raw === 'string' ? { type: raw } : raw;
  if (!isPlainObject(spec)) throw new ModelsError(`${where}: a field is a type name or an object {type, required, ...}`);
  const unknownKey = Object.keys(spec).find((name) => !FIELD_KEYS.has(name));
  if (unknownKey) throw new ModelsError(`${where}: unknown key "${unknownKey}" (known: ${[...FIELD_KEYS].join(', ')})`);
  if (spec.required !== undefined && typeof spec.required !== 'boolean') throw new ModelsError(`${where}: "required" must be true or false`);
  const type = parseType(spec, where);
  const field: FieldModel = { key, type, required: spec.required === true };
  if (spec.pointer === undefined) {
    if (spec.reverse !== undefined) throw new ModelsError(`${where}: "reverse" needs "pointer" (the table this field points to)`);
    return field;
  }
  if (typeof spec.pointer !== 'string') throw new ModelsError(`${where}: "pointer" must be a table name`);
  if (type.kind !== 'scalar' || !['ID', 'String', 'Int'].includes(type.name)) {
    throw new ModelsError(`${where}: a pointer holds a primary key: its type must be ID, String or Int`);
  }
  checkModelName('table', spec.pointer, `${where}: pointer`);
  if (spec.reverse !== undefined && (typeof spec.reverse !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.reverse))) {
    throw new ModelsError(`${where}: "reverse" must be a GraphQL field name (letters, digits, underscores)`);
  }
  // The reverse list is read through a secondary index named after the field.
  if (spec.reverse !== undefined) checkModelName('index', key, `${where}: a field with a reverse relation`);
  return { ...field, pointer: spec.pointer, ...(spec.reverse === undefined ? {} : { reverse: spec.reverse }) };
}

function parseFields(raw: Record<string, unknown>, where: string): FieldModel[] {
  return Object.entries(raw)
    .map(([key, spec]) => {
      if (key.length === 0) throw new ModelsError(`${where}: a field name is empty`);
      return parseField(key, spec, `${where}.${key}`);
    })
    .sort(byKey);
}

function checkModelName(kind: 'table' | 'index' | 'primary key', name: string, where: string): void {
  try {
    checkName(kind, name);
  } catch (error) {
    throw new ModelsError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Parses declared models: `{ "tables": { "<table>": { "primaryKey"?: "id", "fields": { "<key>": <field> } } } }`
 * where a field is a type name (`"String"`) or `{ "type", "required"?, "values"? (enum), "fields"?
 * (object), "pointer"? (table), "reverse"? (field name on the pointed-to type) }`, and a type is
 * String, Int, Float, Boolean, DateTime, JSON, ID, enum, object, or `[type]` for a list.
 * Throws ModelsError naming `source` and the offending entry.
 */
export function parseModels(raw: unknown, source: string): TableModel[] {
  if (!isPlainObject(raw) || !isPlainObject(raw.tables)) throw new ModelsError(`${source}: expected {"tables": {"<table>": {"fields": {...}}}}`);
  const extra = Object.keys(raw).find((key) => key !== 'tables' && key !== '$schema' && key !== 'description');
  if (extra) throw new ModelsError(`${source}: unknown key "${extra}" (expected "tables")`);
  const models = Object.entries(raw.tables)
    .map(([table, spec]): TableModel => {
      const where = `${source}: tables.${table}`;
      checkModelName('table', table, where);
      if (!isPlainObject(spec)) throw new ModelsError(`${where} must be an object {"primaryKey"?, "fields"}`);
      const unknownKey = Object.keys(spec).find((key) => key !== 'primaryKey' && key !== 'fields' && key !== 'description');
      if (unknownKey) throw new ModelsError(`${where}: unknown key "${unknownKey}" (known: primaryKey, fields)`);
      const primaryKey = spec.primaryKey ?? 'id';
      if (typeof primaryKey !== 'string') throw new ModelsError(`${where}: "primaryKey" must be a string`);
      checkModelName('primary key', primaryKey, where);
      const fields = parseFields(isPlainObject(spec.fields) ? spec.fields : {}, where);
      if (fields.some((field) => field.key === primaryKey)) throw new ModelsError(`${where}: the primary key "${primaryKey}" is always an ID; do not declare it`);
      return { table, primaryKey, declared: true, fields };
    })
    .sort((a, b) => (a.table < b.table ? -1 : 1));
  // The schema is built from the declarations alone before the database is read, so a pointer's
  // table must be declared too (with no fields if nothing about it needs declaring).
  const declared = new Set(models.map((model) => model.table));
  for (const model of models) {
    for (const field of model.fields) {
      if (field.pointer !== undefined && !declared.has(field.pointer)) {
        throw new ModelsError(`${source}: tables.${model.table}.${field.key}: points to table "${field.pointer}", which is not declared (declare it, with "fields": {} if nothing else)`);
      }
    }
  }
  return models;
}

/** Reads and parses a JSON models file (see parseModels). Throws ModelsError. */
export function readModelsFile(path: string): TableModel[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelsError(`models file ${path}: ${(error as Error).message}`);
  }
  return parseModels(raw, `models file ${path}`);
}
