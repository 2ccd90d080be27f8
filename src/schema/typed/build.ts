import {
  GraphQLEnumType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLFieldConfigMap,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLScalarType,
} from 'graphql';
import type { Document } from '../../db/index.js';
import type { Context } from '../../graphql/context.js';
import { isPlainObject, type FieldModel, type FieldType, type TableModel } from '../../models/model.js';
import { fieldNameOf, upperFirst, type NameRegistry, type TableNames } from '../../models/names.js';
import type { GenericApi, NullableOutput } from './generic.js';

/** An object type of the typed API: its values are stored documents (or nested objects of them). */
export type DocumentType = GraphQLObjectType<Document, Context>;

/** An input type that is not non-null (what GraphQLNonNull may wrap). */
export type NullableInput = GraphQLScalarType | GraphQLEnumType | GraphQLInputObjectType | GraphQLList<GraphQLInputType>;

/**
 * Fields of a root type. Each root field types its own source (a subscription field's is the
 * event its subscribe yields, the others get no root value), so the map's is `never`: every
 * field fits, and none can be called with a source of the wrong type.
 */
export type RootFields = GraphQLFieldConfigMap<never, Context>;

/** The typed object type of one table, made before any type's fields are (pointers refer across tables). */
export interface ModelRefs {
  readonly model: TableModel;
  readonly names: TableNames;
  readonly object: DocumentType;
}

/** What the typed part of one schema build shares: the generic API, the names handed out, the types made so far. */
export interface TypedBuild {
  readonly generic: GenericApi;
  readonly names: NameRegistry;
  readonly byTable: ReadonlyMap<string, ModelRefs>;
  /** Types by name, one per name, whoever asks first makes it (an enum serves the output type, the inputs and the filters). */
  readonly enums: Map<string, GraphQLEnumType>;
  readonly objects: Map<string, DocumentType>;
  readonly inputs: Map<string, GraphQLInputObjectType>;
}

/** `T!`: outputs are non-null unless said otherwise (as Pothos made them, so the printed schema is unchanged). */
export function nonNull<T extends NullableOutput | NullableInput>(type: T): GraphQLNonNull<T> {
  return new GraphQLNonNull(type);
}

/** `[T!]`: a list of non-null items. */
export function listOf<T extends NullableOutput | NullableInput>(type: T): GraphQLList<GraphQLNonNull<T>> {
  return new GraphQLList(nonNull(type));
}

/** The GraphQL name of a field's own type (enums and nested objects): owner type + field name, e.g. PlayerProfile. */
export function nestedTypeName(owner: string, field: FieldModel): string {
  return `${owner}${upperFirst(fieldNameOf(field.key))}`;
}

/** Makes a named type once per build, claiming its name (a collision is a SchemaNameCollision). */
export function once<T>(build: TypedBuild, made: Map<string, T>, name: string, owner: string, make: () => T): T {
  const found = made.get(name);
  if (found !== undefined) return found;
  build.names.claim(name, owner);
  const type = make();
  made.set(name, type);
  return type;
}

/** The enum type of an enum field (shared by the output type, inputs and filters). */
export function enumOf(build: TypedBuild, name: string, values: readonly string[], owner: string): GraphQLEnumType {
  return once(build, build.enums, name, owner, () => new GraphQLEnumType({ name, values: Object.fromEntries(values.map((value) => [value, { value }])) }));
}

/** The document type of a stored value, as used in resolvers: non-objects read as null where an object is expected. */
export function objectValue(value: unknown): Document | null {
  return isPlainObject(value) ? value : null;
}

/** A field type walked down to its innermost element (lists removed). */
export function elementOf(type: FieldType): Exclude<FieldType, { kind: 'list' }> {
  return type.kind === 'list' ? elementOf(type.of) : type;
}
