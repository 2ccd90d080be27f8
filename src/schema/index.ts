import { validateSchema, type GraphQLSchema } from 'graphql';
import type { TableModel } from '../models/model.js';
import { registerAdmin } from './admin.js';
import { createBuilder, type Builder } from './builder.js';
import { registerChannels } from './channels.js';
import { registerDocumentQueries } from './documents.js';
import { registerDocumentMutations } from './mutations.js';
import { registerRdm } from './rdm.js';
import { registerScalars } from './scalars.js';
import { registerSubscriptions } from './subscriptions.js';
import { registerTyped } from './typed/index.js';
import { registerSharedTypes } from './types.js';

function registerGeneric(builder: Builder) {
  registerScalars(builder);
  const shared = registerSharedTypes(builder);
  registerDocumentQueries(builder, shared);
  registerDocumentMutations(builder, shared);
  registerAdmin(builder, shared);
  registerRdm(builder);
  const { ChangeType } = registerSubscriptions(builder, shared);
  registerChannels(builder);
  builder.queryType({ description: 'Reads: generic document queries over any database and table, and typed fields per table of the default database.' });
  builder.mutationType({ description: 'Writes and administration.' });
  builder.subscriptionType({ description: 'Live data from RethinkDB changefeeds, over graphql-ws (graphql-transport-ws) or SSE.' });
  return { ...shared, ChangeType };
}

let genericNames: [string, string][] | undefined;

/** Every name the generic API uses (types, and root fields as `Query.document` etc.), so typed names cannot take them. */
function namesOfGenericApi(): [string, string][] {
  if (genericNames) return genericNames;
  const builder = createBuilder();
  registerGeneric(builder);
  const generic = builder.toSchema();
  const names: [string, string][] = Object.keys(generic.getTypeMap()).map((name) => [name, `the generic API's type ${name}`]);
  for (const root of [generic.getQueryType(), generic.getMutationType(), generic.getSubscriptionType()]) {
    for (const field of Object.keys(root?.getFields() ?? {})) names.push([`${root?.name}.${field}`, `the generic field ${root?.name}.${field}`]);
  }
  genericNames = names;
  return names;
}

/**
 * Builds the executable schema: the generic document API plus the typed per-table API of
 * `models` (none: the generic API alone). A fresh Pothos builder each time, so the gateway can
 * rebuild it when tables come and go. Throws SchemaNameCollision when two things would share a
 * GraphQL name, Error when the result is not a valid schema. Building never connects to anything.
 */
export function buildSchema(models: readonly TableModel[] = []): GraphQLSchema {
  const reserved = namesOfGenericApi();
  const builder = createBuilder();
  const shared = registerGeneric(builder);
  registerTyped(builder, models, shared, reserved);
  const schema = builder.toSchema({ sortSchema: true });
  // Checked now, not at the first operation: a schema that cannot serve is never swapped in.
  const errors = validateSchema(schema);
  if (errors.length > 0) throw new Error(`the schema built from the models is invalid: ${errors.map((error) => error.message).join('; ')}`);
  return schema;
}
