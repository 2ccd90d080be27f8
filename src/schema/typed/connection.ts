import { GraphQLObjectType } from 'graphql';
import type { Context } from '../../graphql/context.js';
import type { DocumentConnection } from '../../resolvers/documents.js';
import { listOf, nonNull, type ModelRefs, type TypedBuild } from './build.js';

/**
 * The Relay connection type of a table (`PlayerConnection`, its edges `PlayerEdge`): the generic
 * DocumentConnection with the table's type as node, and the generic PageInfo.
 */
export function connectionOf(build: TypedBuild, { model, object, names }: ModelRefs): GraphQLObjectType<DocumentConnection, Context> {
  const generic = build.generic.object('DocumentConnection').toConfig().fields;
  const edge = new GraphQLObjectType<DocumentConnection['edges'][number], Context>({
    name: build.names.claim(`${names.type}Edge`, `the connection edge of table "${model.table}"`),
    description: `A ${names.type} and its cursor.`,
    fields: () => ({
      ...build.generic.object('DocumentEdge').toConfig().fields,
      node: { type: nonNull(object), resolve: (edge) => edge.node },
    }),
  });
  return new GraphQLObjectType<DocumentConnection, Context>({
    name: build.names.claim(`${names.type}Connection`, `the connection of table "${model.table}"`),
    description: `A page of ${names.type} documents with cursors (keyset paging: rows inserted or deleted between pages never make a page skip or repeat a row).`,
    fields: () => ({ ...generic, edges: { ...generic.edges, type: nonNull(listOf(edge)) } }),
  });
}
