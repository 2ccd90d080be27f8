import type { InsertResult, TableInfo } from '../db/index.js';
import type { Builder } from './builder.js';

/** The generic API's shared types, registered on `builder`; the refs are what other schema files use. */
export function registerSharedTypes(builder: Builder) {
  const SortDirection = builder.enumType('SortDirection', {
    description: 'Sort order of a field.',
    values: { ASC: { value: 'ASC' }, DESC: { value: 'DESC' } } as const,
  });

  const ConflictMode = builder.enumType('ConflictMode', {
    description: 'What insert does when a primary key already exists.',
    values: {
      ERROR: { value: 'error', description: 'Fail the whole insert; nothing is written.' },
      REPLACE: { value: 'replace', description: 'Replace the existing document.' },
      UPDATE: { value: 'update', description: 'Merge into the existing document.' },
    } as const,
  });

  const OrderByInput = builder.inputType('OrderByInput', {
    description: 'One sort key. Later keys break ties of earlier ones; the primary key breaks the rest.',
    fields: (t) => ({
      field: t.string({ required: true, description: 'Field path; nested fields with dots, e.g. "profile.age".' }),
      direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
    }),
  });

  return { SortDirection, ConflictMode, OrderByInput, ...resultTypes(builder) };
}

/** What admin fields and writes return: TableInfo, InsertResult, DeleteManyResult. */
function resultTypes(builder: Builder) {
  const TableInfoType = builder.objectRef<TableInfo>('TableInfo').implement({
    description: 'A table and what the gateway knows of it.',
    fields: (t) => ({
      db: t.exposeString('db'),
      name: t.exposeString('name'),
      primaryKey: t.exposeString('primaryKey'),
      indexes: t.exposeStringList('indexes', { description: 'Secondary indexes (and, on reqlite, the primary key).' }),
    }),
  });

  const InsertResultType = builder.objectRef<InsertResult>('InsertResult').implement({
    description: 'What an insert wrote.',
    fields: (t) => ({
      inserted: t.exposeInt('inserted'),
      replaced: t.exposeInt('replaced'),
      unchanged: t.exposeInt('unchanged'),
      generatedKeys: t.exposeIDList('generatedKeys', { description: 'Keys generated for documents without one, in input order.' }),
      documents: t.field({
        type: ['JSONObject'],
        description: 'The documents as stored (with generated keys), in input order.',
        resolve: (result) => result.documents,
      }),
    }),
  });

  const DeleteManyResult = builder.objectRef<{ deleted: number }>('DeleteManyResult').implement({
    fields: (t) => ({ deleted: t.exposeInt('deleted') }),
  });

  return { TableInfoType, InsertResultType, DeleteManyResult };
}

/** The refs registerSharedTypes returns. */
export type SharedTypes = ReturnType<typeof registerSharedTypes>;
