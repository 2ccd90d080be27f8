import { rowBudget } from '../../graphql/plugins/row-budget.js';
import { GraphQLList, GraphQLObjectType, type GraphQLFieldConfigMap } from 'graphql';
import type { Document } from '../../db/index.js';
import type { Context } from '../../graphql/context.js';
import { reverseRelationsOf, type FieldModel, type FieldType, type TableModel } from '../../models/model.js';
import { fieldNameOf, NameRegistry, type TableNames } from '../../models/names.js';
import * as resolve from '../../resolvers/typed.js';
import { enumOf, listOf, nestedTypeName, nonNull, objectValue, once, type DocumentType, type ModelRefs, type TypedBuild } from './build.js';
import type { NullableOutput } from './generic.js';

type DocumentFields = GraphQLFieldConfigMap<Document, Context>;

/** The output type of a value: nested lists hold non-null items (the field's own list, in valueFields, does not). */
function outputType(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): NullableOutput {
  switch (type.kind) {
    case 'scalar':
      return build.generic.scalar(type.name);
    case 'enum':
      return enumOf(build, nestedTypeName(owner, field), type.values, `the enum field ${owner}.${field.key}`);
    case 'list':
      return listOf(outputType(build, owner, field, type.of));
    case 'object': {
      const name = nestedTypeName(owner, field);
      return once(build, build.objects, name, `the nested object ${owner}.${field.key}`, () =>
        new GraphQLObjectType<Document, Context>({ name, fields: () => valueFields(build, name, type.fields) }),
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

/** The value fields of a document or nested object (one GraphQL field per stored key): non-null when required, list items nullable. */
function valueFields(build: TypedBuild, owner: string, fields: readonly FieldModel[], taken = new NameRegistry()): DocumentFields {
  const out: DocumentFields = {};
  for (const field of fields) {
    const name = taken.claim(fieldNameOf(field.key), `the field "${field.key}" of ${owner}`);
    const type = field.type.kind === 'list' ? new GraphQLList(outputType(build, owner, field, field.type.of)) : outputType(build, owner, field, field.type);
    out[name] = { type: field.required ? nonNull(type) : type, resolve: (parent) => outputValue(field.type, parent[field.key]) };
  }
  return out;
}

/** A pointer field per declared pointer: the pointed-to document, through the per-request loader. */
function pointerFields(build: TypedBuild, { model, names }: ModelRefs, taken: NameRegistry): DocumentFields {
  const out: DocumentFields = {};
  for (const field of model.fields) {
    if (field.pointer === undefined) continue;
    const target = build.byTable.get(field.pointer);
    if (!target) throw new Error(`the field "${field.key}" of table "${model.table}" points to table "${field.pointer}", which has no model (it does not exist in the database)`);
    const pointerField = { ...field, pointer: field.pointer };
    out[taken.claim(fieldNameOf(field.key), `the pointer "${field.key}" of ${names.type}`)] = {
      type: target.object,
      description: `The ${target.names.type} whose primary key this document's "${field.key}" holds (null when empty or dangling). Batched per request.`,
      resolve: (doc, _args, ctx) => resolve.pointer(ctx, pointerField, doc),
      extensions: rowBudget('one'),
    };
  }
  return out;
}

/** A list field per pointer of another table that names this one with `reverse`. */
function reverseFields(build: TypedBuild, { model, names }: ModelRefs, taken: NameRegistry): DocumentFields {
  const out: DocumentFields = {};
  for (const relation of reverseRelationsOf(modelsOf(build), model.table)) {
    const source = build.byTable.get(relation.table);
    if (!source) continue;
    out[taken.claim(relation.name, `the reverse relation "${relation.name}" of ${names.type} (from ${relation.table}.${relation.field})`)] = {
      type: nonNull(listOf(source.object)),
      description: `The ${source.names.type} documents whose "${relation.field}" holds this primary key, by primary key (secondary index "${relation.index}"). Batched per request.`,
      args: { limit: { type: build.generic.scalar('Int'), description: 'At most this many, the first by primary key (default and maximum as for lists).' } },
      resolve: (doc, args: { limit?: number | null }, ctx) => resolve.reverse(ctx, relation, model, doc, args.limit),
    };
  }
  return out;
}

function tableFields(build: TypedBuild, refs: ModelRefs): DocumentFields {
  const { model, names } = refs;
  const owner = names.type;
  const taken = new NameRegistry([['_doc', `the _doc field of ${owner}`]]);
  const plain = model.fields.filter((field) => field.pointer === undefined);
  return {
    _doc: { type: nonNull(build.generic.scalar('JSONObject')), description: 'The whole stored document, every field included.', resolve: (doc) => doc },
    [taken.claim(fieldNameOf(model.primaryKey), `the primary key "${model.primaryKey}" of ${owner}`)]: {
      type: nonNull(build.generic.scalar('ID')),
      description: `The primary key (${model.primaryKey}).`,
      resolve: (doc) => doc[model.primaryKey],
    },
    ...valueFields(build, owner, plain, taken),
    ...pointerFields(build, refs, taken),
    ...reverseFields(build, refs, taken),
  };
}

/**
 * The object type of a table. Its fields are made when the schema is assembled, after every
 * table's type exists, so a pointer can name any table.
 */
export function tableObject(build: TypedBuild, model: TableModel, names: TableNames): DocumentType {
  const object: DocumentType = new GraphQLObjectType<Document, Context>({
    name: names.type,
    description: `A document of the table "${model.table}"${model.declared ? ' (declared model)' : ' (inferred from a sample)'}.`,
    fields: () => tableFields(build, { model, names, object }),
  });
  return object;
}

/** The models of a build, for callers that only hold it. */
export function modelsOf(build: TypedBuild): TableModel[] {
  return [...build.byTable.values()].map((refs) => refs.model);
}
