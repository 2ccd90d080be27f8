import * as resolve from '../resolvers/documents.js';
import { tableArgs, updateOperatorArgs } from './arguments.js';
import type { Builder } from './builder.js';
import type { SharedTypes } from './types.js';

/** The generic document writes: insert, update, replace, delete, deleteMany. */
export function registerDocumentMutations(builder: Builder, { ConflictMode, DeleteManyResult, InsertResultType }: SharedTypes): void {
  builder.mutationFields((t) => ({
    insert: t.field({
      type: InsertResultType,
      description: 'Inserts documents; ids are generated for documents without one.',
      args: {
        ...tableArgs(t.arg),
        documents: t.arg({ type: ['JSONObject'], required: true }),
        conflict: t.arg({ type: ConflictMode, defaultValue: 'error' }),
      },
      resolve: (_root, args, ctx) => resolve.insert(ctx, args),
    }),
    update: t.field({
      type: 'JSONObject',
      description:
        'Deep-merges patch into the document, applies the atomic operators (inc, append, prepend, removeFromArray, unset, setIfMissing: ' +
        'the database applies them to the stored document in one write, so concurrent updates never lose each other\'s changes) ' +
        'and returns the new document. Give a patch, operators or both; each field once. NOT_FOUND when absent; BAD_USER_INPUT, ' +
        'and nothing written, when a stored field has the wrong type for its operator.',
      args: {
        ...tableArgs(t.arg),
        id: t.arg.id({ required: true }),
        patch: t.arg({ type: 'JSONObject' }),
        ...updateOperatorArgs(t.arg),
      },
      resolve: (_root, args, ctx) => resolve.update(ctx, args),
    }),
    replace: t.field({
      type: 'JSONObject',
      description: 'Replaces the whole document (keeping its primary key) and returns it. NOT_FOUND when absent.',
      args: { ...tableArgs(t.arg), id: t.arg.id({ required: true }), document: t.arg({ type: 'JSONObject', required: true }) },
      resolve: (_root, args, ctx) => resolve.replace(ctx, args),
    }),
    delete: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'Deletes one document and returns it; null when there was none.',
      args: { ...tableArgs(t.arg), id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => resolve.remove(ctx, args),
    }),
    deleteMany: t.field({
      type: DeleteManyResult,
      description: 'Deletes the documents matching where; all: true (without where) empties the table.',
      args: { ...tableArgs(t.arg), where: t.arg({ type: 'JSONObject' }), all: t.arg.boolean({ defaultValue: false }) },
      resolve: async (_root, args, ctx) => ({ deleted: await resolve.removeMany(ctx, args) }),
    }),
  }));
}
