import { GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, validateSchema } from 'graphql';
import type { TableModel } from '../models/model.js';
import type { LeftOutTable } from '../models/names.js';
import { registerAdmin } from './admin.js';
import { registerAggregates } from './aggregates.js';
import { createBuilder } from './builder.js';
import { registerChannels } from './channels.js';
import { registerDocumentQueries } from './documents.js';
import { registerDocumentMutations } from './mutations.js';
import { registerRdm } from './rdm.js';
import { registerScalars } from './scalars.js';
import { registerSubscriptions } from './subscriptions.js';
import type { RootFields } from './typed/build.js';
import type { RootName } from './typed/generic.js';
import { typedRootFields } from './typed/index.js';
import { registerSharedTypes } from './types.js';

/** The generic document API, built with Pothos: the same for every database. */
function buildGeneric(): GraphQLSchema {
  const builder = createBuilder();
  registerScalars(builder);
  const shared = registerSharedTypes(builder);
  registerDocumentQueries(builder, shared);
  registerDocumentMutations(builder, shared);
  registerAdmin(builder, shared);
  registerRdm(builder);
  registerSubscriptions(builder, shared);
  registerAggregates(builder);
  registerChannels(builder);
  builder.queryType({ description: 'Reads: generic document queries over any database and table, and typed fields per table of the default database.' });
  builder.mutationType({ description: 'Writes and administration.' });
  builder.subscriptionType({ description: 'Live data from RethinkDB changefeeds, over graphql-ws (graphql-transport-ws) or SSE.' });
  return builder.toSchema();
}

let generic: { schema: GraphQLSchema; names: [string, string][] } | undefined;

/** The generic schema, built once, and every name it uses (types, and root fields as `Query.document` etc.), so typed names cannot take them. */
function genericApi(): { schema: GraphQLSchema; names: [string, string][] } {
  if (generic) return generic;
  const schema = buildGeneric();
  const names: [string, string][] = Object.keys(schema.getTypeMap()).map((name) => [name, `the generic API's type ${name}`]);
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.keys(root?.getFields() ?? {})) names.push([`${root?.name}.${field}`, `the generic field ${root?.name}.${field}`]);
  }
  generic = { schema, names };
  return generic;
}

/** A root type of the generic schema with `fields` added. */
function extended(root: GraphQLObjectType | null | undefined, fields: RootFields): GraphQLObjectType {
  if (!root) throw new Error('the generic schema lacks a root type');
  // A fresh copy (toConfig), whose field map graphql-js types with an `any` root value: the typed fields join it there.
  const config = root.toConfig();
  Object.assign(config.fields, fields);
  return new GraphQLObjectType(config);
}

/** The generic schema with the typed root fields added (the types they reach come with them). */
function withTypedFields(schema: GraphQLSchema, typed: Record<RootName, RootFields>): GraphQLSchema {
  const config = schema.toConfig();
  const roots = { query: extended(schema.getQueryType(), typed.Query), mutation: extended(schema.getMutationType(), typed.Mutation), subscription: extended(schema.getSubscriptionType(), typed.Subscription) };
  const replaced = new Set([roots.query.name, roots.mutation.name, roots.subscription.name]);
  return new GraphQLSchema({ ...config, ...roots, types: config.types.filter((type) => !replaced.has(type.name)) });
}

/** A built schema and the tables left out of its typed API. */
export interface BuiltSchema {
  readonly schema: GraphQLSchema;
  /** Inferred tables with no typed fields (they keep the generic API), and why: for a warning and `/ready`. */
  readonly leftOut: readonly LeftOutTable[];
}

/**
 * Builds the executable schema: the generic document API plus the typed per-table API of
 * `models` (none: the generic API alone). The typed part is made anew each time, so the gateway
 * can rebuild the schema when tables come and go. An inferred table (not `declared`) whose names
 * clash with another table's or the generic API's (`crate` and `crates`, a table called `tables`)
 * is left out of the typed API and listed in `leftOut` (typedRootFields), so a database's table
 * names never stop the gateway. Declared tables are configuration: a clash among them, or with
 * the generic API, throws SchemaNameCollision; Error when the result is not a valid schema.
 * Building never connects to anything.
 */
export function buildSchema(models: readonly TableModel[] = []): BuiltSchema {
  const { schema: genericSchema, names } = genericApi();
  const typed = typedRootFields(genericSchema, models, names);
  const schema = lexicographicSortSchema(withTypedFields(genericSchema, typed.roots));
  // Checked now, not at the first operation: a schema that cannot serve is never swapped in.
  const errors = validateSchema(schema);
  if (errors.length > 0) throw new Error(`the schema built from the models is invalid: ${errors.map((error) => error.message).join('; ')}`);
  return { schema, leftOut: typed.leftOut };
}
