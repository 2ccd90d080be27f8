import type { TableModel } from '../../models/model.js';
import { NameRegistry, tableNamesOf } from '../../models/names.js';
import type { Builder } from '../builder.js';
import type { SharedTypes } from '../types.js';
import type { ModelRefs, TypedBuild } from './build.js';
import { registerModelFields } from './fields.js';
import { modelInputs } from './inputs.js';
import type { LooseType } from './loose.js';
import { implementObjects } from './objects.js';

/**
 * Registers the typed per-table API for `models` on `builder`: an object type per table, typed
 * filters, sort keys and inputs, and the root fields named after the table. `reserved` holds
 * the names the generic API already uses (types, and `Query.x` style root fields). Throws
 * SchemaNameCollision when two things would get one name.
 */
export function registerTyped(
  builder: Builder,
  models: readonly TableModel[],
  shared: SharedTypes & { ChangeType: LooseType },
  reserved: Iterable<[string, string]>,
): void {
  const names = new NameRegistry(reserved);
  const byTable = new Map<string, ModelRefs>();
  for (const model of models) {
    const tableNames = tableNamesOf(model.table);
    names.claim(tableNames.type, `the type of table "${model.table}"`);
    byTable.set(model.table, { model, names: tableNames, object: builder.objectRef(tableNames.type) });
  }
  const build: TypedBuild = { builder, names, shared, byTable, made: new Map() };
  implementObjects(build);
  for (const refs of byTable.values()) registerModelFields(build, refs, modelInputs(build, refs));
}
