import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLSchema, type GraphQLType } from 'graphql';
import type { TableModel } from '../../models/model.js';
import { assignTableNames, NameRegistry, SchemaNameCollision, type LeftOutTable } from '../../models/names.js';
import type { ModelRefs, RootFields, TypedBuild } from './build.js';
import { addModelFields } from './fields.js';
import { GenericApi, type RootName } from './generic.js';
import { modelInputs } from './inputs.js';
import { tableObject } from './objects.js';

/** The typed per-table API of a set of models: root fields to add to the generic schema, and the tables left out of it. */
export interface TypedApi {
  readonly roots: Record<RootName, RootFields>;
  /** Inferred tables without typed fields because their names clash, and why. */
  readonly leftOut: readonly LeftOutTable[];
}

const noRoots = (): Record<RootName, RootFields> => ({ Query: {}, Mutation: {}, Subscription: {} });

/** The function that removes what is added to `map` after this call (the build's type maps only grow). */
function checkpoint<V>(map: Map<string, V>): () => void {
  const size = map.size;
  return () => {
    let index = 0;
    for (const key of map.keys()) if (index++ >= size) map.delete(key);
  };
}

/** Runs `run`; on a name clash, undoes what it claimed and made, and returns the clash. */
function attempt(build: TypedBuild, run: () => void): SchemaNameCollision | undefined {
  const undo = [build.names.checkpoint(), checkpoint(build.enums), checkpoint(build.objects), checkpoint(build.inputs)];
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof SchemaNameCollision)) throw error;
    for (const restore of undo) restore();
    return error;
  }
}

/**
 * Resolves now the fields of every type reachable from `roots` (graphql-js resolves them when
 * the schema is assembled), so that the names they claim, nested types included, clash inside
 * the attempt of the table they belong to. `done` holds the types already resolved.
 */
function resolveTypes(roots: Record<RootName, RootFields>, done: Set<GraphQLNamedType>): void {
  const pending: GraphQLType[] = Object.values(roots).flatMap((fields) => Object.values(fields).flatMap((field) => [field.type, ...Object.values(field.args ?? {}).map((arg) => arg.type)]));
  for (let type = pending.pop(); type !== undefined; type = pending.pop()) {
    const named = getNamedType(type);
    if (done.has(named)) continue;
    done.add(named);
    if (isObjectType(named) || isInterfaceType(named)) {
      for (const field of Object.values(named.getFields())) pending.push(field.type, ...field.args.map((arg) => arg.type));
    } else if (isInputObjectType(named)) {
      for (const field of Object.values(named.getFields())) pending.push(field.type);
    }
  }
}

/**
 * The typed per-table API for `models`, as root fields to add to the generic schema `generic`
 * (an object type per table, typed filters, sort keys and inputs, reached from the root fields
 * named after the table). `reserved` holds the names the generic API already uses (types, and
 * `Query.x` style root fields). An inferred table whose names clash is left out (`leftOut`): two
 * tables that would get one type (`assignTableNames`), a name the generic API or another table
 * already holds, two keys that give one field name. Declared tables come first and are
 * configuration: a clash among them, or with the generic API, throws SchemaNameCollision.
 */
export function typedRootFields(generic: GraphQLSchema, models: readonly TableModel[], reserved: Iterable<[string, string]>): TypedApi {
  const names = new NameRegistry(reserved);
  const byTable = new Map<string, ModelRefs>();
  const build: TypedBuild = { generic: new GenericApi(generic), names, byTable, enums: new Map(), objects: new Map(), inputs: new Map() };
  const assigned = assignTableNames(
    models.map((model) => model.table),
    new Set(models.filter((model) => model.declared).map((model) => model.table)),
  );
  const leftOut = [...assigned.leftOut];
  const leaveOut = (model: TableModel, clash: SchemaNameCollision) => {
    if (model.declared) throw clash;
    byTable.delete(model.table);
    leftOut.push({ table: model.table, reason: `${clash.message}; "${model.table}" has no typed fields (it keeps the generic API; rename it, or declare it in the models file)` });
  };
  // Every table's object type first: pointers refer across tables.
  for (const model of [...models.filter((one) => one.declared), ...models.filter((one) => !one.declared)]) {
    const tableNames = assigned.names.get(model.table);
    if (!tableNames) continue;
    const clash = attempt(build, () => {
      names.claim(tableNames.type, `the type of table "${model.table}"`);
      byTable.set(model.table, { model, names: tableNames, object: tableObject(build, model, tableNames) });
    });
    if (clash) leaveOut(model, clash);
  }
  const roots = noRoots();
  const resolved = new Set<GraphQLNamedType>();
  for (const refs of [...byTable.values()]) {
    const own = noRoots();
    const clash = attempt(build, () => {
      addModelFields(build, refs, modelInputs(build, refs), own);
      resolveTypes(own, resolved);
    });
    if (clash) leaveOut(refs.model, clash);
    else for (const root of ['Query', 'Mutation', 'Subscription'] as const) Object.assign(roots[root], own[root]);
  }
  return { roots, leftOut: leftOut.sort((a, b) => a.table.localeCompare(b.table)) };
}
