import type { FieldModel, FieldType } from '../../models/model.js';
import { fieldNameOf, NameRegistry } from '../../models/names.js';
import { fieldsWithKey } from '../../models/translate.js';
import { elementOf, enumOf, nestedTypeName, once, type ModelRefs, type TypedBuild } from './build.js';
import { looseField, type LooseType } from './loose.js';

type InputBuilder = { field: (options: never) => unknown };

/** Operators of each filter type (the generic `where` operators that make sense for it). */
const FILTER_OPERATORS = {
  String: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'startsWith', 'match', 'exists'],
  Int: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
  Float: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
  DateTime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
  Boolean: ['eq', 'ne', 'exists'],
  ID: ['eq', 'ne', 'in', 'nin', 'exists'],
  JSON: ['eq', 'ne', 'contains', 'in', 'nin', 'exists'],
  enum: ['eq', 'ne', 'in', 'nin', 'exists'],
} as const;

const OPERATOR_DESCRIPTIONS: Record<string, string> = {
  eq: 'Equal (null matches a null or absent field).',
  ne: 'Not equal.',
  gt: 'Greater than.',
  gte: 'Greater than or equal.',
  lt: 'Less than.',
  lte: 'Less than or equal.',
  in: 'Equal to one of these.',
  nin: 'Equal to none of these.',
  startsWith: 'Text starts with this.',
  match: 'Text matches this regular expression (RE2 subset, see docs).',
  contains: 'A list holds this element, or a text holds this substring.',
  exists: 'The field is present (true) or absent (false).',
};

/** A filter input for one value type (StringFilter, IntFilter, PlayerCountryFilter, ...). */
function filterOf(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): LooseType {
  const element = type.kind === 'list' ? undefined : type;
  if (element?.kind === 'enum') {
    const enumType = enumOf(build, nestedTypeName(owner, field), element.values, `the enum field ${owner}.${field.key}`);
    return filterType(build, `${nestedTypeName(owner, field)}Filter`, enumType, FILTER_OPERATORS.enum);
  }
  const scalar = element?.kind === 'scalar' ? element.name : 'JSON';
  return filterType(build, `${scalar}Filter`, scalar, FILTER_OPERATORS[scalar]);
}

function filterType(build: TypedBuild, name: string, valueType: LooseType, operators: readonly string[]): LooseType {
  return once(build, name, 'a typed filter', () =>
    build.builder.inputRef<Record<string, unknown>>(name).implement({
      description: 'Tests on one field; all given tests must hold (the operators of the generic `where`).',
      fields: (t) =>
        Object.fromEntries(
          operators.map((op) => [
            op,
            looseField(t as unknown as InputBuilder, {
              type: op === 'exists' ? 'Boolean' : op === 'in' || op === 'nin' ? [valueType] : op === 'startsWith' || op === 'match' ? 'String' : valueType,
              required: op === 'in' || op === 'nin' ? { list: false, items: true } : false,
              description: OPERATOR_DESCRIPTIONS[op],
            }),
          ]),
        ) as never,
    }),
  );
}

/** `PlayerWhere`: a filter per field (nested objects by their own Where), and/or/not at the top. */
function whereType(build: TypedBuild, name: string, owner: string, fields: readonly FieldModel[], root: boolean): LooseType {
  return once(build, name, `the filter of ${owner}`, () => {
    const ref = build.builder.inputRef<Record<string, unknown>>(name);
    return ref.implement({
      description: `Filter on ${owner}: every given field test must hold${root ? '; and/or/not combine filters' : ''}.`,
      fields: (t) => {
        const taken = new NameRegistry(root ? [['and', 'and'], ['or', 'or'], ['not', 'not']] : []);
        const out: Record<string, unknown> = {};
        for (const field of fields) {
          const fieldName = taken.claim(fieldNameOf(field.key), `the filter field "${field.key}" of ${owner}`);
          const type =
            field.type.kind === 'object'
              ? whereType(build, `${nestedTypeName(owner, field)}Where`, nestedTypeName(owner, field), field.type.fields, false)
              : filterOf(build, owner, field, field.type);
          out[fieldName] = looseField(t as unknown as InputBuilder, { type, required: false });
        }
        if (root) {
          out.and = looseField(t as unknown as InputBuilder, { type: [ref], required: false, description: 'Every one of these filters holds.' });
          out.or = looseField(t as unknown as InputBuilder, { type: [ref], required: false, description: 'At least one of these filters holds.' });
          out.not = looseField(t as unknown as InputBuilder, { type: ref, required: false, description: 'This filter does not hold.' });
        }
        return out as never;
      },
    });
  });
}

/** The input type of a field's value (nested objects get `<Owner><Field>Input`). */
function inputType(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): LooseType {
  switch (type.kind) {
    case 'scalar':
      return type.name;
    case 'enum':
      return enumOf(build, nestedTypeName(owner, field), type.values, `the enum field ${owner}.${field.key}`);
    case 'list':
      return [inputType(build, owner, field, type.of)];
    case 'object':
      return valuesInput(build, `${nestedTypeName(owner, field)}Input`, nestedTypeName(owner, field), type.fields, 'A nested object.');
  }
}

/**
 * An input object of document values. Every field is optional in GraphQL: required fields are
 * checked by the resolver (src/models/validate.ts), so a missing one is a BAD_USER_INPUT error
 * naming it, for inserts and replaces alike, while patches may leave it out.
 */
function valuesInput(build: TypedBuild, name: string, owner: string, fields: readonly FieldModel[], description: string): LooseType {
  return once(build, name, `the input of ${owner}`, () =>
    build.builder.inputRef<Record<string, unknown>>(name).implement({
      description,
      fields: (t) => {
        const taken = new NameRegistry();
        const out: Record<string, unknown> = {};
        for (const field of fields) {
          out[taken.claim(fieldNameOf(field.key), `the input field "${field.key}" of ${owner}`)] = looseField(t as unknown as InputBuilder, {
            type: inputType(build, owner, field, field.type),
            required: field.type.kind === 'list' ? { list: false, items: false } : false,
            description: field.required ? 'Required: must be given (not null) when inserting or replacing.' : undefined,
          });
        }
        return out as never;
      },
    }),
  );
}

/** The typed inputs of one table. */
export interface ModelInputs {
  where: LooseType;
  orderBy: LooseType;
  input: LooseType;
  /** Absent for a table without known fields besides its primary key (an input type needs a field). */
  patch?: LooseType;
}

/** Creates `<Type>Where`, `<Type>OrderBy` (with `<Type>OrderField`), `<Type>Input` and `<Type>Patch`. */
export function modelInputs(build: TypedBuild, { model, names }: ModelRefs): ModelInputs {
  const type = names.type;
  const withKey = fieldsWithKey(model);
  // GraphQL enum values cannot be true, false or null: such keys are not offered as sort fields.
  const sortable = withKey.filter(
    (field) => ['scalar', 'enum'].includes(elementOf(field.type).kind) && field.type.kind !== 'list' && !['true', 'false', 'null'].includes(fieldNameOf(field.key)),
  );
  const orderField = once(build, `${type}OrderField`, `the sort fields of ${type}`, () =>
    build.builder.enumType(`${type}OrderField`, {
      description: `A field of ${type} to sort by.`,
      values: Object.fromEntries(sortable.map((field) => [fieldNameOf(field.key), { value: field.key }])),
    }),
  );
  const orderBy = once(build, `${type}OrderBy`, `the sort keys of ${type}`, () =>
    build.builder.inputRef<Record<string, unknown>>(`${type}OrderBy`).implement({
      description: 'One sort key. Later keys break ties of earlier ones; the primary key breaks the rest.',
      fields: (t) =>
        ({
          field: looseField(t as unknown as InputBuilder, { type: orderField, required: true }),
          direction: looseField(t as unknown as InputBuilder, { type: build.shared.SortDirection, defaultValue: 'ASC' }),
        }) as never,
    }),
  );
  return {
    where: whereType(build, `${type}Where`, type, withKey, true),
    orderBy,
    input: valuesInput(build, `${type}Input`, type, withKey, `A new ${type} (the primary key may be left out: it is then generated).`),
    patch:
      model.fields.length > 0
        ? valuesInput(build, `${type}Patch`, type, model.fields, `Changes to a ${type}, deep-merged into it; fields left out keep their value.`)
        : undefined,
  };
}
