import * as resolve from '../resolvers/documents.js';
import { keysetArgs, tableArgs } from './arguments.js';
import type { Builder } from './builder.js';
import type { SharedTypes } from './types.js';

/** The `where` argument's description (the generic filter language of src/db/filter.ts). */
export const whereDescription =
  'Filter: { field: { op: value } } with ops eq, ne, gt, gte, lt, lte, in, nin, contains, startsWith, match, exists; ' +
  'nested fields as "a.b"; combine with and: [..], or: [..], not: {..}. A plain value means eq.';

/** Relay's PageInfo and the generic DocumentConnection (what `queryConnection` returns). */
function connectionTypes(builder: Builder) {
  const PageInfo = builder.objectRef<resolve.PageInfo>('PageInfo').implement({
    description: 'Where a page lies: whether rows come after or before it, and the cursors of its first and last rows.',
    fields: (t) => ({
      hasNextPage: t.boolean({ resolve: (info) => info.hasNextPage() }),
      hasPreviousPage: t.boolean({ resolve: (info) => info.hasPreviousPage() }),
      startCursor: t.string({ nullable: true, resolve: (info) => info.startCursor }),
      endCursor: t.string({ nullable: true, resolve: (info) => info.endCursor }),
    }),
  });
  const DocumentEdge = builder.objectRef<resolve.DocumentConnection['edges'][number]>('DocumentEdge').implement({
    description: 'A document and its cursor.',
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque: pass it as after or before to page from this row.' }),
      node: t.field({ type: 'JSONObject', resolve: (edge) => edge.node }),
    }),
  });
  return builder.objectRef<resolve.DocumentConnection>('DocumentConnection').implement({
    description: 'A page of documents with cursors (keyset paging: rows inserted or deleted between pages never make a page skip or repeat a row).',
    fields: (t) => ({
      edges: t.field({ type: [DocumentEdge], resolve: (connection) => connection.edges }),
      pageInfo: t.field({ type: PageInfo, resolve: (connection) => connection.pageInfo }),
      totalCount: t.int({ description: 'How many documents match where (one count query, run only when selected).', resolve: (connection) => connection.totalCount() }),
    }),
  });
}

/** The generic document reads: document, documents, query, queryConnection, count. */
export function registerDocumentQueries(builder: Builder, { OrderByInput }: SharedTypes): void {
  const DocumentConnection = connectionTypes(builder);
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
        ...keysetArgs(t.arg),
      },
      resolve: (_root, args, ctx) => resolve.query(ctx, args),
    }),
    queryConnection: t.field({
      type: DocumentConnection,
      description: 'Documents matching a filter, ordered, one page at a time by cursor (first/after forwards, last/before backwards).',
      args: {
        ...tableArgs(t.arg),
        where: t.arg({ type: 'JSONObject', description: whereDescription }),
        orderBy: t.arg({ type: [OrderByInput] }),
        ...keysetArgs(t.arg),
      },
      resolve: (_root, args, ctx) => resolve.queryConnection(ctx, args),
    }),
    count: t.int({
      description: 'How many documents match the filter.',
      args: { ...tableArgs(t.arg), where: t.arg({ type: 'JSONObject', description: whereDescription }) },
      resolve: (_root, args, ctx) => resolve.count(ctx, args),
    }),
  }));
}
