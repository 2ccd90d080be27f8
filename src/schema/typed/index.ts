import type { GraphQLSchema } from 'graphql';
import type { TableModel } from '../../models/model.js';
import { assignTableNames, NameRegistry, type LeftOutTable } from '../../models/names.js';
import type { ModelRefs, RootFields, TypedBuild } from './build.js';
import { addModelFields } from './fields.js';
import { GenericApi, type RootName } from './generic.js';
import { modelInputs } from './inputs.js';
import { tableObject } from './objects.js';

/** The typed per-table API of a set of models: root fields to add to the generic schema, and the tables left out of it. */
export interface TypedApi {
  readonly roots: Record<RootName, RootFields>;
  /** Inferred tables whose type name another table also gets (`assignTableNames`), and why. */
  readonly leftOut: readonly LeftOutTable[];
}

/**
 * The typed per-table API for `models`, as root fields to add to the generic schema `generic`
 * (an object type per table, typed filters, sort keys and inputs, reached from the root fields
 * named after the table). `reserved` holds the names the generic API already uses (types, and
 * `Query.x` style root fields). Inferred tables that would share a type name are left out
 * (`leftOut`); any other clash throws SchemaNameCollision (two declared tables, or a name the
 * generic API or another table holds); some names (fields, nested types) are claimed only when
 * the schema is assembled.
 */
export function typedRootFields(generic: GraphQLSchema, models: readonly TableModel[], reserved: Iterable<[string, string]>): TypedApi {
  const names = new NameRegistry(reserved);
  const byTable = new Map<string, ModelRefs>();
  const build: TypedBuild = { generic: new GenericApi(generic), names, byTable, enums: new Map(), objects: new Map(), inputs: new Map() };
  const assigned = assignTableNames(
    models.map((model) => model.table),
    new Set(models.filter((model) => model.declared).map((model) => model.table)),
  );
  for (const model of models) {
    const tableNames = assigned.names.get(model.table);
    if (!tableNames) continue;
    names.claim(tableNames.type, `the type of table "${model.table}"`);
    byTable.set(model.table, { model, names: tableNames, object: tableObject(build, model, tableNames) });
  }
  const roots: Record<RootName, RootFields> = { Query: {}, Mutation: {}, Subscription: {} };
  for (const refs of byTable.values()) addModelFields(build, refs, modelInputs(build, refs), roots);
  return { roots, leftOut: assigned.leftOut };
}
