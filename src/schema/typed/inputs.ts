import { GraphQLEnumType, GraphQLInputObjectType, GraphQLList, type GraphQLInputFieldConfigMap, type GraphQLScalarType } from 'graphql';
import type { FieldModel, FieldType } from '../../models/model.js';
import { fieldNameOf, NameRegistry } from '../../models/names.js';
import { fieldsWithKey } from '../../models/translate.js';
import { elementOf, enumOf, listOf, nestedTypeName, nonNull, once, type ModelRefs, type NullableInput, type TypedBuild } from './build.js';

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
function filterOf(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): GraphQLInputObjectType {
  const element = type.kind === 'list' ? undefined : type;
  if (element?.kind === 'enum') {
    const enumType = enumOf(build, nestedTypeName(owner, field), element.values, `the enum field ${owner}.${field.key}`);
    return filterType(build, `${nestedTypeName(owner, field)}Filter`, enumType, FILTER_OPERATORS.enum);
  }
  const scalar = element?.kind === 'scalar' ? element.name : 'JSON';
  return filterType(build, `${scalar}Filter`, build.generic.scalar(scalar), FILTER_OPERATORS[scalar]);
}

/** The operand type of a filter operator on values of `valueType`. */
function operandType(build: TypedBuild, op: string, valueType: GraphQLScalarType | GraphQLEnumType): NullableInput {
  if (op === 'exists') return build.generic.scalar('Boolean');
  if (op === 'in' || op === 'nin') return listOf(valueType);
  if (op === 'startsWith' || op === 'match') return build.generic.scalar('String');
  return valueType;
}

function filterType(build: TypedBuild, name: string, valueType: GraphQLScalarType | GraphQLEnumType, operators: readonly string[]): GraphQLInputObjectType {
  return once(build, build.inputs, name, 'a typed filter', () =>
    new GraphQLInputObjectType({
      name,
      description: 'Tests on one field; all given tests must hold (the operators of the generic `where`).',
      fields: () => Object.fromEntries(operators.map((op) => [op, { type: operandType(build, op, valueType), description: OPERATOR_DESCRIPTIONS[op] }])),
    }),
  );
}

/** `PlayerWhere`: a filter per field (nested objects by their own Where), and/or/not at the top. */
function whereType(build: TypedBuild, name: string, owner: string, fields: readonly FieldModel[], root: boolean): GraphQLInputObjectType {
  return once(build, build.inputs, name, `the filter of ${owner}`, () => {
    const where: GraphQLInputObjectType = new GraphQLInputObjectType({
      name,
      description: `Filter on ${owner}: every given field test must hold${root ? '; and/or/not combine filters' : ''}.`,
      fields: () => {
        const taken = new NameRegistry(root ? [['and', 'and'], ['or', 'or'], ['not', 'not']] : []);
        const out: GraphQLInputFieldConfigMap = {};
        for (const field of fields) {
          const fieldName = taken.claim(fieldNameOf(field.key), `the filter field "${field.key}" of ${owner}`);
          out[fieldName] = {
            type:
              field.type.kind === 'object'
                ? whereType(build, `${nestedTypeName(owner, field)}Where`, nestedTypeName(owner, field), field.type.fields, false)
                : filterOf(build, owner, field, field.type),
          };
        }
        if (!root) return out;
        return {
          ...out,
          and: { type: listOf(where), description: 'Every one of these filters holds.' },
          or: { type: listOf(where), description: 'At least one of these filters holds.' },
          not: { type: where, description: 'This filter does not hold.' },
        };
      },
    });
    return where;
  });
}

/** The input type of a value: nested lists hold non-null items (the field's own list, in valuesInput, does not). */
function inputType(build: TypedBuild, owner: string, field: FieldModel, type: FieldType): NullableInput {
  switch (type.kind) {
    case 'scalar':
      return build.generic.scalar(type.name);
    case 'enum':
      return enumOf(build, nestedTypeName(owner, field), type.values, `the enum field ${owner}.${field.key}`);
    case 'list':
      return listOf(inputType(build, owner, field, type.of));
    case 'object':
      return valuesInput(build, `${nestedTypeName(owner, field)}Input`, nestedTypeName(owner, field), type.fields, 'A nested object.');
  }
}

/**
 * An input object of document values. Every field is optional in GraphQL: required fields are
 * checked by the resolver (src/models/validate.ts), so a missing one is a BAD_USER_INPUT error
 * naming it, for inserts and replaces alike, while patches may leave it out.
 */
function valuesInput(build: TypedBuild, name: string, owner: string, fields: readonly FieldModel[], description: string): GraphQLInputObjectType {
  return once(build, build.inputs, name, `the input of ${owner}`, () =>
    new GraphQLInputObjectType({
      name,
      description,
      fields: () => {
        const taken = new NameRegistry();
        const out: GraphQLInputFieldConfigMap = {};
        for (const field of fields) {
          out[taken.claim(fieldNameOf(field.key), `the input field "${field.key}" of ${owner}`)] = {
            type: field.type.kind === 'list' ? new GraphQLList(inputType(build, owner, field, field.type.of)) : inputType(build, owner, field, field.type),
            description: field.required ? 'Required: must be given (not null) when inserting or replacing.' : undefined,
          };
        }
        return out;
      },
    }),
  );
}

/** The typed inputs of one table. */
export interface ModelInputs {
  where: GraphQLInputObjectType;
  orderBy: GraphQLInputObjectType;
  input: GraphQLInputObjectType;
  /** Absent for a table without known fields besides its primary key (an input type needs a field). */
  patch?: GraphQLInputObjectType;
}

/** `<Type>OrderBy`, with `<Type>OrderField`: the typed sort keys. */
function orderByInput(build: TypedBuild, { model, names }: ModelRefs): GraphQLInputObjectType {
  const type = names.type;
  // GraphQL enum values cannot be true, false or null: such keys are not offered as sort fields.
  const sortable = fieldsWithKey(model).filter(
    (field) => ['scalar', 'enum'].includes(elementOf(field.type).kind) && field.type.kind !== 'list' && !['true', 'false', 'null'].includes(fieldNameOf(field.key)),
  );
  const orderField = once(build, build.enums, `${type}OrderField`, `the sort fields of ${type}`, () =>
    new GraphQLEnumType({
      name: `${type}OrderField`,
      description: `A field of ${type} to sort by.`,
      values: Object.fromEntries(sortable.map((field) => [fieldNameOf(field.key), { value: field.key }])),
    }),
  );
  return once(build, build.inputs, `${type}OrderBy`, `the sort keys of ${type}`, () =>
    new GraphQLInputObjectType({
      name: `${type}OrderBy`,
      description: 'One sort key. Later keys break ties of earlier ones; the primary key breaks the rest.',
      fields: { field: { type: nonNull(orderField) }, direction: { type: build.generic.enum('SortDirection'), defaultValue: 'ASC' } },
    }),
  );
}

/** Creates `<Type>Where`, `<Type>OrderBy` (with `<Type>OrderField`), `<Type>Input` and `<Type>Patch`. */
export function modelInputs(build: TypedBuild, refs: ModelRefs): ModelInputs {
  const { model, names } = refs;
  const type = names.type;
  const withKey = fieldsWithKey(model);
  return {
    where: whereType(build, `${type}Where`, type, withKey, true),
    orderBy: orderByInput(build, refs),
    input: valuesInput(build, `${type}Input`, type, withKey, `A new ${type} (the primary key may be left out: it is then generated).`),
    patch:
      model.fields.length > 0
        ? valuesInput(build, `${type}Patch`, type, model.fields, `Changes to a ${type}, deep-merged into it; fields left out keep their value.`)
        : undefined,
  };
}
