import {
  assertEnumType,
  assertObjectType,
  assertScalarType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgumentConfig,
  type GraphQLEnumType,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInterfaceType,
  type GraphQLUnionType,
  type GraphQLOutputType,
  type GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import type { Context } from '../../graphql/context.js';

/** A root type's name. */
export type RootName = 'Query' | 'Mutation' | 'Subscription';

/** An output type that is not non-null (what GraphQLNonNull may wrap). */
export type NullableOutput = GraphQLScalarType | GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType | GraphQLEnumType | GraphQLList<GraphQLOutputType>;

/**
 * The generic API as the typed API reuses it. The typed API is made with graphql-js after the
 * generic one (Pothos types fields from types known at compile time, the typed API's exist only
 * at runtime), and takes from the built generic schema what a schema holds once (scalars, shared
 * enums) and what it mirrors (argument lists, subscription result shapes): each of those is
 * declared once, in the generic schema files, and the typed API follows them.
 */
export class GenericApi {
  constructor(private readonly schema: GraphQLSchema) {}

  /** A scalar by name (String, Int, Float, Boolean, ID, DateTime, JSON, JSONObject). Throws when the schema has none. */
  scalar(name: string): GraphQLScalarType {
    return assertScalarType(this.schema.getType(name));
  }

  /** An enum by name (ConflictMode, SortDirection, ChangeType). Throws when the schema has none. */
  enum(name: string): GraphQLEnumType {
    return assertEnumType(this.schema.getType(name));
  }

  /** An object type by name (PageInfo). Throws when the schema has none. */
  object(name: string): GraphQLObjectType {
    return assertObjectType(this.schema.getType(name));
  }

  /** One argument of a generic root field, e.g. `arg('Subscription', 'live', 'orderBy')`. Throws when it has none. */
  arg(root: RootName, field: string, name: string): GraphQLArgumentConfig {
    const arg = this.argsOf(root, field)[name];
    if (arg === undefined) throw new Error(`the generic field ${root}.${field} has no argument ${name}`);
    return arg;
  }

  /** The arguments of a generic root field but `except` (those the typed field types itself, or does not take). */
  argsExcept(root: RootName, field: string, except: readonly string[]): GraphQLFieldConfigArgumentMap {
    return Object.fromEntries(Object.entries(this.argsOf(root, field)).filter(([name]) => !except.includes(name)));
  }

  /**
   * The generic object type `generic` (ChangeEvent, LiveResult) renamed and described for a
   * table, every JSONObject in its fields (the documents) replaced by the table's `document` type.
   */
  retyped<Source>(generic: string, as: { name: string; description: string; document: GraphQLObjectType }): GraphQLObjectType<Source, Context> {
    const config = assertObjectType(this.schema.getType(generic)).toConfig();
    const json = this.scalar('JSONObject');
    const fields = Object.fromEntries(Object.entries(config.fields).map(([name, field]) => [name, { ...field, type: swapped(field.type, json, as.document) }]));
    return new GraphQLObjectType<Source, Context>({ ...config, name: as.name, description: as.description, fields });
  }

  private argsOf(root: RootName, field: string): GraphQLFieldConfigArgumentMap {
    const type = root === 'Query' ? this.schema.getQueryType() : root === 'Mutation' ? this.schema.getMutationType() : this.schema.getSubscriptionType();
    const config = type?.toConfig().fields[field];
    if (config === undefined) throw new Error(`the generic API has no field ${root}.${field}`);
    return config.args ?? {};
  }
}

/** `type` with `from` replaced by `to`, lists and non-nulls kept. */
function swapped(type: GraphQLOutputType, from: GraphQLScalarType, to: GraphQLObjectType): GraphQLOutputType {
  return isNonNullType(type) ? new GraphQLNonNull(swappedNullable(type.ofType, from, to)) : swappedNullable(type, from, to);
}

function swappedNullable(type: NullableOutput, from: GraphQLScalarType, to: GraphQLObjectType): NullableOutput {
  if (isListType(type)) return new GraphQLList(swapped(type.ofType, from, to));
  return type === from ? to : type;
}
