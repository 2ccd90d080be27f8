import { GraphQLEnumType, GraphQLObjectType, type GraphQLFieldConfig, type GraphQLFieldConfigMap, type GraphQLOutputType } from 'graphql';
import type { AggregateGroup, AggregateResult } from '../../db/index.js';
import type { Context } from '../../graphql/context.js';
import type { FieldModel } from '../../models/model.js';
import { fieldNameOf } from '../../models/names.js';
import * as resolve from '../../resolvers/typed-aggregates.js';
import { eventOf } from '../../resolvers/typed.js';
import type { Payload } from '../../subscriptions/events.js';
import type { LiveAggregateResult } from '../../subscriptions/live-aggregate.js';
import { numericAggregatesDescription } from '../aggregates.js';
import { listOf, nonNull, type ModelRefs, type RootFields, type TypedBuild } from './build.js';
import type { ModelInputs } from './inputs.js';

/** Scalars a group key keeps as they are; any other value (dates, enums, objects) is shown as JSON. */
const KEY_SCALARS = new Set(['String', 'ID', 'Boolean', 'Int', 'Float']);

/** An object type whose fields read a stored key each from a record keyed by stored keys. */
function recordType(name: string, description: string, fields: readonly FieldModel[], typeOf: (field: FieldModel) => GraphQLOutputType) {
  return new GraphQLObjectType<Readonly<Record<string, unknown>>, Context>({
    name,
    description,
    fields: Object.fromEntries(fields.map((field) => [fieldNameOf(field.key), { type: typeOf(field), resolve: (record) => record[field.key] ?? null }])),
  });
}

/**
 * `playersAggregate(where, groupBy, limit)` and `playersLiveAggregate(...)`: the generic
 * aggregate and liveAggregate, typed. Group by the table's top-level scalar and enum fields;
 * sum / avg / min / max of its numeric (Int, Float) fields, computed only for the fields the
 * operation selects. Nothing when the model has neither kind of field.
 */
export function aggregateFields(build: TypedBuild, { model, names }: ModelRefs, inputs: ModelInputs): { Query: RootFields; Subscription: RootFields } {
  const groupable = model.fields.filter((field) => field.type.kind === 'scalar' || field.type.kind === 'enum');
  const numeric = model.fields.filter((field) => field.type.kind === 'scalar' && (field.type.name === 'Int' || field.type.name === 'Float'));
  if (groupable.length === 0 && numeric.length === 0) return { Query: {}, Subscription: {} };
  const claim = (suffix: string, what: string) => build.names.claim(`${names.type}${suffix}`, `the ${what} of table "${model.table}"`);
  const groupFields: GraphQLFieldConfigMap<AggregateGroup, Context> = {
    count: { type: nonNull(build.generic.scalar('Int')), description: 'Rows in the group.', resolve: (group) => group.count },
  };
  if (groupable.length > 0) {
    const keyType = recordType(claim('AggregateKey', 'aggregate key type'), 'The group\'s value of each groupBy field (null for the others).', groupable, (field) =>
      build.generic.scalar(field.type.kind === 'scalar' && KEY_SCALARS.has(field.type.name) ? field.type.name : 'JSON'),
    );
    groupFields.key = { type: nonNull(keyType), resolve: (group) => group.key };
  }
  if (numeric.length > 0) {
    const numbers = recordType(claim('AggregateNumbers', 'aggregate numbers type'), `Per numeric field. ${numericAggregatesDescription}`, numeric, () => build.generic.scalar('Float'));
    for (const kind of ['sum', 'avg', 'min', 'max'] as const) groupFields[kind] = { type: nonNull(numbers), resolve: (group) => group[kind] };
  }
  const groupType = new GraphQLObjectType<AggregateGroup, Context>({ name: claim('AggregateGroup', 'aggregate group type'), description: `One group of ${names.type} documents.`, fields: groupFields });
  const groups = { type: nonNull(listOf(groupType)), description: 'Ordered by key. Without groupBy exactly one group.', resolve: (result: AggregateResult) => [...result.groups] };
  const resultType = new GraphQLObjectType<AggregateResult, Context>({ name: claim('Aggregate', 'aggregate type'), fields: { groups } });
  const liveType = new GraphQLObjectType<LiveAggregateResult, Context>({
    name: claim('LiveAggregate', 'live aggregate type'),
    fields: { groups, resumeToken: { type: nonNull(build.generic.scalar('String')), resolve: (result) => result.resumeToken } },
  });

  // GraphQL forbids true, false and null as enum values: a field so named is grouped by through the generic aggregate.
  const enumerable = groupable.filter((field) => !['true', 'false', 'null'].includes(fieldNameOf(field.key)));
  const args = {
    where: { type: inputs.where, description: `Filter on ${names.type} fields.` },
    ...(enumerable.length > 0
      ? {
          groupBy: {
            type: listOf(new GraphQLEnumType({ name: claim('AggregateField', 'group-by enum'), values: Object.fromEntries(enumerable.map((field) => [fieldNameOf(field.key), { value: field.key }])) })),
          },
        }
      : {}),
    limit: build.generic.arg('Query', 'aggregate', 'limit'),
  };
  const keyOf = new Map(numeric.map((field) => [fieldNameOf(field.key), field.key]));
  const selected = (info: Parameters<typeof resolve.selectedAggregates>[0]) => resolve.selectedAggregates(info, (name) => keyOf.get(name));
  const query: GraphQLFieldConfig<unknown, Context, resolve.TypedAggregateArgs> = {
    type: nonNull(resultType),
    description: `Grouped count / sum / avg / min / max of ${names.type} documents, as the generic aggregate (same permissions and row budget).`,
    args,
    resolve: (_root, typedArgs, ctx, info) => resolve.aggregate(ctx, model, typedArgs, selected(info)),
  };
  const live: GraphQLFieldConfig<Payload<LiveAggregateResult>, Context, resolve.TypedLiveAggregateArgs> = {
    type: nonNull(liveType),
    description: `${names.many}Aggregate, live: first whole, then again whenever it changes (as the generic liveAggregate).`,
    args: { ...args, ...build.generic.argsExcept('Subscription', 'liveAggregate', ['db', 'table', 'where', 'groupBy', 'fields', 'limit']) },
    subscribe: (_root, typedArgs, ctx, info) => resolve.liveAggregate(ctx, model, typedArgs, selected(info)),
    resolve: (payload, _args, ctx) => eventOf(ctx, payload),
  };
  return { Query: { [`${names.many}Aggregate`]: query as RootFields[string] }, Subscription: { [`${names.many}LiveAggregate`]: live as RootFields[string] } };
}
