import * as resolve from '../resolvers/admin.js';
import { tableArgs } from './arguments.js';
import type { Builder } from './builder.js';
import type { SharedTypes } from './types.js';

/** Catalog reads and administration: databases, tables, createDatabase, createTable, dropTable, createIndex. */
export function registerAdmin(builder: Builder, { TableInfoType }: SharedTypes): void {
  builder.queryFields((t) => ({
    databases: t.stringList({
      description: 'Every database (the system database excluded).',
      resolve: (_root, _args, ctx) => resolve.databases(ctx),
    }),
    tables: t.field({
      type: [TableInfoType],
      description: 'The tables of a database (default: the configured one).',
      args: { db: t.arg.string() },
      resolve: (_root, args, ctx) => resolve.tables(ctx, args),
    }),
  }));

  builder.mutationFields((t) => ({
    createDatabase: t.string({
      description: 'Creates a database; returns its name. CONFLICT when it exists.',
      args: { db: t.arg.string({ required: true }) },
      resolve: (_root, args, ctx) => resolve.createDatabase(ctx, args),
    }),
    createTable: t.field({
      type: TableInfoType,
      description: 'Creates a table. CONFLICT when it exists.',
      args: { ...tableArgs(t.arg), primaryKey: t.arg.string({ defaultValue: 'id' }) },
      resolve: (_root, args, ctx) => resolve.createTable(ctx, args),
    }),
    dropTable: t.field({
      type: TableInfoType,
      description: 'Drops a table and every document in it; returns what it was.',
      args: tableArgs(t.arg),
      resolve: (_root, args, ctx) => resolve.dropTable(ctx, args),
    }),
    createIndex: t.field({
      type: TableInfoType,
      description: 'Creates a secondary index on a (dotted) field path; the name defaults to the path with _ for dots.',
      args: { ...tableArgs(t.arg), field: t.arg.string({ required: true }), name: t.arg.string() },
      resolve: (_root, args, ctx) => resolve.createIndex(ctx, args),
    }),
  }));
}
