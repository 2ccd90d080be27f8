/** Whether a JSON value is an object (not null, not a list, not a Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The scalar types a model field can have (GraphQL's, plus DateTime and JSON). */
export const SCALAR_TYPES = ['String', 'Int', 'Float', 'Boolean', 'DateTime', 'JSON', 'ID'] as const;
export type ScalarTypeName = (typeof SCALAR_TYPES)[number];

/** The type of a field's value. */
export type FieldType =
  | { readonly kind: 'scalar'; readonly name: ScalarTypeName }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'object'; readonly fields: readonly FieldModel[] }
  | { readonly kind: 'list'; readonly of: FieldType };

/** One field of a document (or of a nested object). */
export interface FieldModel {
  /** The key in the stored document. */
  readonly key: string;
  readonly type: FieldType;
  /** Declared required: present and not null in every write; non-null in the GraphQL type. */
  readonly required: boolean;
  /** Declared pointer: the value is the primary key of a document of this table (same database). */
  readonly pointer?: string;
  /** On a pointer: the name of the reverse list field added to the pointed-to table's type. */
  readonly reverse?: string;
}

/** What the gateway knows of one table's documents. */
export interface TableModel {
  readonly table: string;
  readonly primaryKey: string;
  /** Fields other than the primary key, sorted by key. */
  readonly fields: readonly FieldModel[];
  /** Whether a models file declared this table (declared fields are validated before writes). */
  readonly declared: boolean;
}

/** A reverse relation: documents of `table` whose `field` holds the owner's primary key, found through the secondary index `index`. */
export interface ReverseRelation {
  /** The field name on the owner's type (e.g. `players` on Board). */
  readonly name: string;
  readonly table: string;
  readonly field: string;
  readonly index: string;
}

/** The reverse relations that point at `table`, from the pointers of every model. */
export function reverseRelationsOf(models: readonly TableModel[], table: string): ReverseRelation[] {
  return models.flatMap((model) =>
    model.fields
      .filter((field) => field.pointer === table && field.reverse !== undefined)
      .map((field) => ({ name: field.reverse as string, table: model.table, field: field.key, index: field.key })),
  );
}

/**
 * Merges declared models over inferred ones: a declared field replaces the inferred field of the
 * same key, inferred fields the declaration does not mention are kept, and declared tables the
 * database lacks are kept (the gateway creates them). Result sorted by table name.
 */
export function mergeModels(inferred: readonly TableModel[], declared: readonly TableModel[]): TableModel[] {
  const byTable = new Map(inferred.map((model) => [model.table, model]));
  for (const model of declared) {
    const found = byTable.get(model.table);
    const declaredKeys = new Set(model.fields.map((field) => field.key));
    const kept = (found?.fields ?? []).filter((field) => !declaredKeys.has(field.key) && field.key !== model.primaryKey);
    byTable.set(model.table, { ...model, primaryKey: found?.primaryKey ?? model.primaryKey, fields: [...model.fields, ...kept].sort(byKey) });
  }
  return [...byTable.values()].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

/** Orders fields by key (stable schemas). */
export function byKey(a: FieldModel, b: FieldModel): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
