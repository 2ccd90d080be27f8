import * as resolve from '../resolvers/documents.js';
import { tableArgs } from './arguments.js';
import type { Builder } from './builder.js';
import type { SharedTypes } from './types.js';

/** The `where` argument's description (the generic filter language of src/db/filter.ts). */
export const whereDescription =
  'Filter: { field: { op: value } } with ops eq, ne, gt, gte, lt, lte, in, nin, contains, startsWith, match, exists; ' +
  'nested fields as "a.b"; combine with and: [..], or: [..], not: {..}. A plain value means eq.';

/** The generic document reads: document, documents, query, count. */
export function registerDocumentQueries(builder: Builder, { OrderByInput }: SharedTypes): void {
  builder.queryFields((t) => ({
    document: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'One document by primary key; null when absent. Batched per request (one query per table per tick).',
      args: { ...tableArgs(t.arg), id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => resolve.document(ctx, args),
    }),
    documents: t.field({
      type: ['JSONObject'],
      nullable: { list: false, items: true },
      description: 'Documents by primary key, in the order of ids; null for each missing one.',
      args: { ...tableArgs(t.arg), ids: t.arg.idList({ required: true }) },
      resolve: (_root, args, ctx) => resolve.documents(ctx, args),
    }),
    query: t.field({
      type: ['JSONObject'],
      description: 'Documents matching a filter, ordered and paged.',
      args: {
        ...tableArgs(t.arg),
        where: t.arg({ type: 'JSONObject', description: whereDescription }),
        orderBy: t.arg({ type: [OrderByInput] }),
        limit: t.arg.int({ description: 'At most this many (default and maximum are configured; 100 and 1000 unless changed).' }),
        offset: t.arg.int({ defaultValue: 0 }),
      },
      resolve: (_root, args, ctx) => resolve.query(ctx, args),
    }),
    count: t.int({
      description: 'How many documents match the filter.',
      args: { ...tableArgs(t.arg), where: t.arg({ type: 'JSONObject', description: whereDescription }) },
      resolve: (_root, args, ctx) => resolve.count(ctx, args),
    }),
  }));
}
