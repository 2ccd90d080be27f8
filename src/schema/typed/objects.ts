import type { Document } from '../../db/index.js';
import { reverseRelationsOf, type FieldModel, type FieldType, type TableModel } from '../../models/model.js';
import { fieldNameOf, NameRegistry } from '../../models/names.js';
import * as resolve from '../../resolvers/typed.js';
import { enumOf, nestedTypeName, objectValue, once, type ModelRefs, type TypedBuild } from './build.js';
import { looseField, type LooseType } from './loose.js';

type FieldMap = Record<string, unknown>;
type FieldBuilder = { field: (options: never) => unknown };

/** The output type of a field's value. */
function outputType(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): LooseType {
  switch (type.kind) {
    case 'scalar':
      return type.name;
    case 'enum':
      return enumOf(build, nestedTypeName(owner, field), type.values, `the enum field ${owner}.${field.key}`);
    case 'list':
      return [outputType(build, owner, field, type.of)];
    case 'object': {
      const name = nestedTypeName(owner, field);
      return once(build, name, `the nested object ${owner}.${field.key}`, () =>
        build.builder.objectRef<Document>(name).implement({ fields: (t) => valueFields(build, name, type.fields, t) as never }),
      );
    }
  }
}

/** A stored value as the field's resolver returns it: objects where objects are expected, lists where lists are. */
function outputValue(type: FieldType, value: unknown): unknown {
  if (value === undefined) return null;
  if (type.kind === 'object') return objectValue(value);
  if (type.kind === 'list') return Array.isArray(value) ? value.map((item) => outputValue(type.of, item)) : null;
  return value;
}

/** The value fields of a document or nested object (one GraphQL field per stored key). */
function valueFields(build: TypedBuild, owner: string, fields: readonly FieldModel[], t: FieldBuilder, taken = new NameRegistry()): FieldMap {
  const out: FieldMap = {};
  for (const field of fields) {
    const name = taken.claim(fieldNameOf(field.key), `the field "${field.key}" of ${owner}`);
    const type = outputType(build, owner, field, field.type);
    out[name] = looseField(t, {
      type,
      nullable: field.type.kind === 'list' ? { list: !field.required, items: true } : !field.required,
      resolve: (parent: Document) => outputValue(field.type, parent[field.key]),
    });
  }
  return out;
}

function tableFields(build: TypedBuild, refs: ModelRefs, t: FieldBuilder): FieldMap {
  const { model, names } = refs;
  const owner = names.type;
  const taken = new NameRegistry([['_doc', `the _doc field of ${owner}`]]);
  const plain = model.fields.filter((field) => field.pointer === undefined);
  const out: FieldMap = {
    _doc: looseField(t, { type: 'JSONObject', description: 'The whole stored document, every field included.', resolve: (doc: Document) => doc }),
    [taken.claim(fieldNameOf(model.primaryKey), `the primary key "${model.primaryKey}" of ${owner}`)]: looseField(t, {
      type: 'ID',
      description: `The primary key (${model.primaryKey}).`,
      resolve: (doc: Document) => doc[model.primaryKey],
    }),
    ...valueFields(build, owner, plain, t, taken),
  };
  for (const field of model.fields) {
    if (field.pointer === undefined) continue;
    const target = build.byTable.get(field.pointer);
    if (!target) throw new Error(`the field "${field.key}" of table "${model.table}" points to table "${field.pointer}", which has no model (it does not exist in the database)`);
    const pointerField = { ...field, pointer: field.pointer };
    out[taken.claim(fieldNameOf(field.key), `the pointer "${field.key}" of ${owner}`)] = looseField(t, {
      type: target.object,
      nullable: true,
      description: `The ${target.names.type} whose primary key this document's "${field.key}" holds (null when empty or dangling). Batched per request.`,
      resolve: (doc: Document, _args: never, ctx: never) => resolve.pointer(ctx, pointerField, doc),
    });
  }
  for (const relation of reverseRelationsOf(modelsOf(build), model.table)) {
    const source = build.byTable.get(relation.table);
    if (!source) continue;
    out[taken.claim(relation.name, `the reverse relation "${relation.name}" of ${owner} (from ${relation.table}.${relation.field})`)] = looseField(t, {
      type: [source.object],
      description: `The ${source.names.type} documents whose "${relation.field}" holds this primary key, by primary key (secondary index "${relation.index}"). Batched per request.`,
      resolve: (doc: Document, _args: never, ctx: never) => resolve.reverse(ctx, relation, model, doc),
    });
  }
  return out;
}

/** Implements the object type of every table (the refs were created first, so pointers can name any table). */
export function implementObjects(build: TypedBuild): void {
  for (const refs of build.byTable.values()) {
    build.builder.objectType(refs.object, {
      description: `A document of the table "${refs.model.table}"${refs.model.declared ? ' (declared model)' : ' (inferred from a sample)'}.`,
      fields: (t) => tableFields(build, refs, t as unknown as FieldBuilder) as never,
    });
  }
}

/** The models of a build, for callers that only hold it. */
export function modelsOf(build: TypedBuild): TableModel[] {
  return [...build.byTable.values()].map((refs) => refs.model);
}
