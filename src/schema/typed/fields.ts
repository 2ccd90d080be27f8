import type { GraphQLArgumentConfig, GraphQLFieldConfig } from 'graphql';
import type { Context } from '../../graphql/context.js';
import type { ChangeEvent, LiveResult, Payload } from '../../subscriptions/events.js';
import type { ConflictMode, UpdateOperators } from '../../db/index.js';
import type { TypedInput } from '../../models/translate.js';
import { upperFirst } from '../../models/names.js';
import * as resolve from '../../resolvers/typed.js';
import { aggregateFields } from './aggregates.js';
import { listOf, nonNull, type ModelRefs, type RootFields, type TypedBuild } from './build.js';
import { connectionOf } from './connection.js';
import type { RootName } from './generic.js';
import type { ModelInputs } from './inputs.js';

/** A root field with its source (none for queries and mutations, the event for subscriptions) and its arguments typed. */
type RootField<Args, Source = unknown> = GraphQLFieldConfig<Source, Context, Args>;

/** The arguments that name the document a generic field works on: the typed fields name it by their own name (and type their filter). */
const GENERIC_ONLY = ['db', 'table', 'where', 'orderBy'];

/** The typed filter argument. */
const whereArg = (refs: ModelRefs, inputs: ModelInputs): GraphQLArgumentConfig => ({
  type: inputs.where,
  description: `Filter on ${refs.names.type} fields (the generic where operators, typed).`,
});

function queryFields(build: TypedBuild, refs: ModelRefs, inputs: ModelInputs): RootFields {
  const { model, object, names: { type, one, many } } = refs;
  const byId: RootField<{ id: string }> = {
    type: object,
    description: `One ${type} by primary key; null when absent. Batched per request.`,
    args: { id: { type: nonNull(build.generic.scalar('ID')) } },
    resolve: (_root, args, ctx) => resolve.one(ctx, model, args.id),
  };
  const list: RootField<resolve.TypedListArgs> = {
    type: nonNull(listOf(object)),
    description: `${type} documents matching where, ordered (primary key last) and paged.`,
    args: { ...build.generic.argsExcept('Query', 'query', GENERIC_ONLY), where: whereArg(refs, inputs), orderBy: { type: listOf(inputs.orderBy) } },
    resolve: (_root, args, ctx) => resolve.list(ctx, model, args),
  };
  const connection: RootField<resolve.TypedListArgs> = {
    type: nonNull(connectionOf(build, refs)),
    description: `${type} documents matching where, ordered (primary key last), one page at a time by cursor (first/after forwards, last/before backwards).`,
    args: { ...build.generic.argsExcept('Query', 'queryConnection', GENERIC_ONLY), where: whereArg(refs, inputs), orderBy: { type: listOf(inputs.orderBy) } },
    resolve: (_root, args, ctx) => resolve.connection(ctx, model, args),
  };
  const count: RootField<{ where?: TypedInput | null }> = {
    type: nonNull(build.generic.scalar('Int')),
    description: `How many ${type} documents match where.`,
    args: { where: whereArg(refs, inputs) },
    resolve: (_root, args, ctx) => resolve.count(ctx, model, args.where),
  };
  return { [one]: byId, [many]: list, [`${many}Connection`]: connection, [`${many}Count`]: count };
}

function mutationFields(build: TypedBuild, refs: ModelRefs, inputs: ModelInputs): RootFields {
  const { model, object, names: { type, many } } = refs;
  const id = { type: nonNull(build.generic.scalar('ID')) };
  const conflict = build.generic.arg('Mutation', 'insert', 'conflict');
  const insertOne: RootField<{ document: TypedInput; conflict?: ConflictMode | null }> = {
    type: nonNull(object),
    description: `Inserts one ${type}, checked against its declared model first; returns it as stored.`,
    args: { document: { type: nonNull(inputs.input) }, conflict },
    resolve: async (_root, args, ctx) => (await resolve.insert(ctx, model, [args.document], args.conflict))[0],
  };
  const insertMany: RootField<{ documents: TypedInput[]; conflict?: ConflictMode | null }> = {
    type: nonNull(listOf(object)),
    description: `Inserts ${type} documents, every one checked first (one bad document: nothing is written); returns them as stored, in order.`,
    args: { documents: { type: nonNull(listOf(inputs.input)) }, conflict },
    resolve: (_root, args, ctx) => resolve.insert(ctx, model, args.documents, args.conflict),
  };
  const replace: RootField<{ id: string; document: TypedInput }> = {
    type: nonNull(object),
    description: `Replaces a whole ${type} (keeping its primary key), checked first. NOT_FOUND when absent.`,
    args: { id, document: { type: nonNull(inputs.input) } },
    resolve: (_root, args, ctx) => resolve.replace(ctx, model, args.id, args.document),
  };
  const remove: RootField<{ id: string }> = {
    type: object,
    description: `Deletes one ${type} and returns it; null when there was none.`,
    args: { id },
    resolve: (_root, args, ctx) => resolve.remove(ctx, model, args.id),
  };
  const fields: RootFields = { [`insert${type}`]: insertOne, [`insert${upperFirst(many)}`]: insertMany, [`replace${type}`]: replace, [`delete${type}`]: remove };
  // A table whose documents showed no field but the primary key has nothing to patch.
  if (inputs.patch === undefined) return fields;
  const update: RootField<{ id: string; patch?: TypedInput | null } & UpdateOperators> = {
    type: nonNull(object),
    description:
      `Deep-merges patch into a ${type} and applies the atomic operators (as update does; keys are field paths), ` +
      'all checked against the declared model first, and returns it. NOT_FOUND when absent.',
    // The atomic operators are the generic update's arguments, whatever they are.
    args: { id, patch: { type: inputs.patch }, ...build.generic.argsExcept('Mutation', 'update', ['id', 'patch', ...GENERIC_ONLY]) },
    resolve: (_root, { id: key, patch, ...operators }, ctx) => resolve.update(ctx, model, key, patch, operators),
  };
  return { ...fields, [`update${type}`]: update };
}

/** The generic ChangeEvent or LiveResult for one table: its documents of the table's type. */
function resultType<Source>(build: TypedBuild, { model, object, names }: ModelRefs, generic: 'ChangeEvent' | 'LiveResult', description: string) {
  const name = build.names.claim(`${names.type}${generic}`, `the ${generic === 'ChangeEvent' ? 'change event' : 'live result'} of table "${model.table}"`);
  return nonNull(build.generic.retyped<Source>(generic, { name, description, document: object }));
}

function subscriptionFields(build: TypedBuild, refs: ModelRefs, inputs: ModelInputs): RootFields {
  const { model, names: { type, one, many } } = refs;
  const changeEvent = resultType<ChangeEvent>(build, refs, 'ChangeEvent', `One change of the watched ${type} documents.`);
  const liveResult = resultType<LiveResult>(build, refs, 'LiveResult', `The whole current result of a live ${type} query.`);
  const changes: RootField<resolve.TypedChangesArgs, Payload<ChangeEvent>> = {
    type: changeEvent,
    description: `Changes of ${type} documents (one by id, or those matching where), like the generic changes subscription, typed.`,
    args: { ...build.generic.argsExcept('Subscription', 'changes', GENERIC_ONLY), where: whereArg(refs, inputs) },
    subscribe: (_root, args, ctx) => resolve.changes(ctx, model, args),
    resolve: (payload, _args, ctx) => resolve.eventOf(ctx, payload),
  };
  const live: RootField<resolve.TypedLiveArgs, Payload<LiveResult>> = {
    type: liveResult,
    description: `A live ${type} query: the ordered result (at most limit documents) first, then again whenever it changes.`,
    args: {
      ...build.generic.argsExcept('Subscription', 'live', GENERIC_ONLY),
      where: whereArg(refs, inputs),
      orderBy: { ...build.generic.arg('Subscription', 'live', 'orderBy'), type: nonNull(listOf(inputs.orderBy)) },
    },
    subscribe: (_root, args, ctx) => resolve.live(ctx, model, args),
    resolve: (payload, _args, ctx) => resolve.eventOf(ctx, payload),
  };
  return { [`${one}Changes`]: changes, [`${many}Live`]: live };
}

/** The typed root fields of one table (queries, mutations and subscriptions, named after it), added to `roots`; each name is claimed first. */
export function addModelFields(build: TypedBuild, refs: ModelRefs, inputs: ModelInputs, roots: Record<RootName, RootFields>): void {
  const aggregates = aggregateFields(build, refs, inputs);
  const made: Record<RootName, RootFields> = {
    Query: { ...queryFields(build, refs, inputs), ...aggregates.Query },
    Mutation: mutationFields(build, refs, inputs),
    Subscription: { ...subscriptionFields(build, refs, inputs), ...aggregates.Subscription },
  };
  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    for (const [name, field] of Object.entries(made[root])) {
      build.names.claim(`${root}.${name}`, `the typed field for table "${refs.model.table}"`);
      roots[root][name] = field;
    }
  }
}
