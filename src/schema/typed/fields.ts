import type { ChangeEvent, LiveResult, Payload } from '../../subscriptions/events.js';
import { upperFirst } from '../../models/names.js';
import * as resolve from '../../resolvers/typed.js';
import type { Context } from '../../graphql/context.js';
import type { ModelRefs, TypedBuild } from './build.js';
import type { ModelInputs } from './inputs.js';
import { looseArg, looseField } from './loose.js';
import { updateOperatorArgs } from '../arguments.js';
import { resumeFromArg } from '../subscriptions.js';
import type { UpdateOperators } from '../../db/index.js';

type Args = Record<string, never>;
type ArgFn = (options: never) => unknown;

/** The typed root fields of one table: queries, mutations and subscriptions, named after it. */
export function registerModelFields(build: TypedBuild, refs: ModelRefs, inputs: ModelInputs): void {
  const { builder, names, shared } = build;
  const { model, object } = refs;
  const { type, one, many } = refs.names;
  const claim = (root: string, name: string) => names.claim(`${root}.${name}`, `the typed field for table "${model.table}"`).slice(root.length + 1);

  const whereArg = (arg: ArgFn) => looseArg(arg, { type: inputs.where, description: `Filter on ${type} fields (the generic where operators, typed).` });
  const throttleArg = (arg: ArgFn) =>
    looseArg(arg, { type: 'Int', defaultValue: 0, description: 'Milliseconds (0 to 60000): coalesce bursts into at most one event per document (live: one result) per window.' });

  builder.queryFields((t) => ({
    [claim('Query', one)]: looseField(t, {
      type: object,
      nullable: true,
      description: `One ${type} by primary key; null when absent. Batched per request.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root: unknown, args: { id: string }, ctx: Context) => resolve.one(ctx, model, args.id),
    }),
    [claim('Query', many)]: looseField(t, {
      type: [object],
      description: `${type} documents matching where, ordered (primary key last) and paged.`,
      args: {
        where: whereArg(t.arg as ArgFn),
        orderBy: looseArg(t.arg as ArgFn, { type: [inputs.orderBy], required: false }),
        limit: t.arg.int({ description: 'At most this many (default and maximum are configured; 100 and 1000 unless changed).' }),
        offset: t.arg.int({ defaultValue: 0 }),
      },
      resolve: (_root: unknown, args: resolve.TypedListArgs, ctx: Context) => resolve.list(ctx, model, args),
    }),
    [claim('Query', `${many}Count`)]: looseField(t, {
      type: 'Int',
      description: `How many ${type} documents match where.`,
      args: { where: whereArg(t.arg as ArgFn) },
      resolve: (_root: unknown, args: { where?: Args | null }, ctx: Context) => resolve.count(ctx, model, args.where),
    }),
  }));

  builder.mutationFields((t) => {
    const conflict = t.arg({ type: shared.ConflictMode, defaultValue: 'error' });
    return {
      [claim('Mutation', `insert${type}`)]: looseField(t, {
        type: object,
        description: `Inserts one ${type}, checked against its declared model first; returns it as stored.`,
        args: { document: looseArg(t.arg as ArgFn, { type: inputs.input, required: true }), conflict },
        resolve: async (_root: unknown, args: { document: Args; conflict?: 'error' | 'replace' | 'update' }, ctx: Context) =>
          (await resolve.insert(ctx, model, [args.document], args.conflict))[0],
      }),
      [claim('Mutation', `insert${upperFirst(many)}`)]: looseField(t, {
        type: [object],
        description: `Inserts ${type} documents, every one checked first (one bad document: nothing is written); returns them as stored, in order.`,
        args: { documents: looseArg(t.arg as ArgFn, { type: [inputs.input], required: true }), conflict },
        resolve: (_root: unknown, args: { documents: Args[]; conflict?: 'error' | 'replace' | 'update' }, ctx: Context) =>
          resolve.insert(ctx, model, args.documents, args.conflict),
      }),
      [claim('Mutation', `replace${type}`)]: looseField(t, {
        type: object,
        description: `Replaces a whole ${type} (keeping its primary key), checked first. NOT_FOUND when absent.`,
        args: { id: t.arg.id({ required: true }), document: looseArg(t.arg as ArgFn, { type: inputs.input, required: true }) },
        resolve: (_root: unknown, args: { id: string; document: Args }, ctx: Context) => resolve.replace(ctx, model, args.id, args.document),
      }),
      [claim('Mutation', `delete${type}`)]: looseField(t, {
        type: object,
        nullable: true,
        description: `Deletes one ${type} and returns it; null when there was none.`,
        args: { id: t.arg.id({ required: true }) },
        resolve: (_root: unknown, args: { id: string }, ctx: Context) => resolve.remove(ctx, model, args.id),
      }),
      // A table whose documents showed no field but the primary key has nothing to patch.
      ...(inputs.patch === undefined
        ? {}
        : {
            [claim('Mutation', `update${type}`)]: looseField(t, {
              type: object,
              description:
                `Deep-merges patch into a ${type} and applies the atomic operators (as update does; keys are field paths), ` +
                'all checked against the declared model first, and returns it. NOT_FOUND when absent.',
              args: { id: t.arg.id({ required: true }), patch: looseArg(t.arg as ArgFn, { type: inputs.patch }), ...updateOperatorArgs(t.arg) },
              resolve: (_root: unknown, { id, patch, ...operators }: { id: string; patch?: Args | null } & UpdateOperators, ctx: Context) =>
                resolve.update(ctx, model, id, patch, operators),
            }),
          }),
    };
  });

  const changeEvent = build.builder.objectRef<ChangeEvent>(names.claim(`${type}ChangeEvent`, `the change event of table "${model.table}"`)).implement({
    description: `One change of the watched ${type} documents.`,
    fields: (t) => ({
      type: looseField(t, { type: shared.ChangeType, resolve: (event: ChangeEvent) => event.type }),
      id: t.id({ nullable: true, description: 'The primary key of the document; null for READY and RESET.', resolve: (event) => event.id }),
      old: looseField(t, { type: object, nullable: true, description: 'The document as last sent; null for INITIAL, ADD, READY and RESET.', resolve: (event: ChangeEvent) => event.old }),
      new: looseField(t, { type: object, nullable: true, description: 'The document now; null for REMOVE, READY and RESET.', resolve: (event: ChangeEvent) => event.new }),
      resumeToken: t.string({ nullable: true, description: 'Pass it as resumeFrom after a reconnect (null for RESET and INITIAL).', resolve: (event) => event.resumeToken }),
    }),
  });
  const liveResult = build.builder.objectRef<LiveResult>(names.claim(`${type}LiveResult`, `the live result of table "${model.table}"`)).implement({
    description: `The whole current result of a live ${type} query.`,
    fields: (t) => ({
      documents: looseField(t, { type: [object], description: 'Ordered, at most limit documents.', resolve: (result: LiveResult) => [...result.documents] }),
      resumeToken: t.string({ description: 'Resuming (resumeFrom, or SSE Last-Event-ID) sends the current result.', resolve: (result) => result.resumeToken }),
    }),
  });

  builder.subscriptionFields((t) => ({
    [claim('Subscription', `${one}Changes`)]: looseField(t, {
      type: changeEvent,
      description: `Changes of ${type} documents (one by id, or those matching where), like the generic changes subscription, typed.`,
      args: {
        id: t.arg.id({ description: 'Watch only the document with this primary key.' }),
        where: whereArg(t.arg as ArgFn),
        includeInitial: t.arg.boolean({ defaultValue: false, description: 'First send the matching documents as INITIAL events.' }),
        throttle: throttleArg(t.arg as ArgFn),
        resumeFrom: resumeFromArg(t.arg),
      },
      subscribe: (_root: unknown, args: resolve.TypedChangesArgs, ctx: Context) => resolve.changes(ctx, model, args),
      resolve: (payload: Payload<ChangeEvent>, _args: unknown, ctx: Context) => resolve.eventOf(ctx, payload),
    }),
    [claim('Subscription', `${many}Live`)]: looseField(t, {
      type: liveResult,
      description: `A live ${type} query: the ordered result (at most limit documents) first, then again whenever it changes.`,
      args: {
        where: whereArg(t.arg as ArgFn),
        orderBy: looseArg(t.arg as ArgFn, { type: [inputs.orderBy], required: true, description: 'Sort keys; the primary key breaks ties.' }),
        limit: t.arg.int({ required: true, description: 'At most this many documents (1 to the configured maximum).' }),
        throttle: throttleArg(t.arg as ArgFn),
        resumeFrom: resumeFromArg(t.arg),
      },
      subscribe: (_root: unknown, args: resolve.TypedLiveArgs, ctx: Context) => resolve.live(ctx, model, args),
      resolve: (payload: Payload<LiveResult>, _args: unknown, ctx: Context) => resolve.eventOf(ctx, payload),
    }),
  }));
}
