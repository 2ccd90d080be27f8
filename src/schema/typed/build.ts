import type { Document } from '../../db/index.js';
import { isPlainObject, type FieldModel, type FieldType, type TableModel } from '../../models/model.js';
import { fieldNameOf, upperFirst, type NameRegistry, type TableNames } from '../../models/names.js';
import type { Builder } from '../builder.js';
import type { SharedTypes } from '../types.js';
import type { LooseType } from './loose.js';

/** The refs of one table's typed API, created before any is implemented (pointers refer across tables). */
export interface ModelRefs {
  readonly model: TableModel;
  readonly names: TableNames;
  readonly object: ReturnType<Builder['objectRef']>;
}

/** What the typed part of one schema build shares: the builder, the names handed out, the refs made so far. */
export interface TypedBuild {
  readonly builder: Builder;
  readonly names: NameRegistry;
  readonly shared: SharedTypes & { ChangeType: LooseType };
  readonly byTable: ReadonlyMap<string, ModelRefs>;
  /** Enum, nested object, input and filter types by name: one type per name, whoever asks first makes it. */
  readonly made: Map<string, LooseType>;
}

/** The GraphQL name of a field's own type (enums and nested objects): owner type + field name, e.g. PlayerProfile. */
export function nestedTypeName(owner: string, field: FieldModel): string {
  return `${owner}${upperFirst(fieldNameOf(field.key))}`;
}

/** Makes a named type once per build, claiming its name (a collision is a SchemaNameCollision). */
export function once(build: TypedBuild, name: string, owner: string, make: () => LooseType): LooseType {
  const made = build.made.get(name);
  if (made !== undefined) return made;
  build.names.claim(name, owner);
  const type = make();
  build.made.set(name, type);
  return type;
}

/** The enum type of an enum field (shared by the output type, inputs and filters). */
export function enumOf(build: TypedBuild, name: string, values: readonly string[], owner: string): LooseType {
  return once(build, name, owner, () =>
    build.builder.enumType(name, { values: Object.fromEntries(values.map((value) => [value, { value }])) }),
  );
}

/** The document type of a stored value, as used in resolvers: non-objects read as null where an object is expected. */
export function objectValue(value: unknown): Document | null {
  return isPlainObject(value) ? value : null;
}

/** A field type walked down to its innermost element (lists removed). */
export function elementOf(type: FieldType): Exclude<FieldType, { kind: 'list' }> {
  return type.kind === 'list' ? elementOf(type.of) : type;
}
