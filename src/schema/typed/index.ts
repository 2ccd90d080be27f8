import type { GraphQLSchema } from 'graphql';
import type { TableModel } from '../../models/model.js';
import { NameRegistry, tableNamesOf } from '../../models/names.js';
import type { ModelRefs, RootFields, TypedBuild } from './build.js';
import { addModelFields } from './fields.js';
import { GenericApi, type RootName } from './generic.js';
import { modelInputs } from './inputs.js';
import { tableObject } from './objects.js';

/**
 * The typed per-table API for `models`, as root fields to add to the generic schema `generic`
 * (an object type per table, typed filters, sort keys and inputs, reached from the root fields
 * named after the table). `reserved` holds the names the generic API already uses (types, and
 * `Query.x` style root fields). Throws SchemaNameCollision when two things would get one name;
 * some names (fields, nested types) are claimed only when the schema is assembled.
 */
export function typedRootFields(generic: GraphQLSchema, models: readonly TableModel[], reserved: Iterable<[string, string]>): Record<RootName, RootFields> {
  const names = new NameRegistry(reserved);
  const byTable = new Map<string, ModelRefs>();
  const build: TypedBuild = { generic: new GenericApi(generic), names, byTable, enums: new Map(), objects: new Map(), inputs: new Map() };
  for (const model of models) {
    const tableNames = tableNamesOf(model.table);
    names.claim(tableNames.type, `the type of table "${model.table}"`);
    byTable.set(model.table, { model, names: tableNames, object: tableObject(build, model, tableNames) });
  }
  const roots: Record<RootName, RootFields> = { Query: {}, Mutation: {}, Subscription: {} };
  for (const refs of byTable.values()) addModelFields(build, refs, modelInputs(build, refs), roots);
  return roots;
}
