import { TableUnavailable, type DataLayer } from '../db/index.js';
import { inferModel } from './infer.js';
import { mergeModels, type TableModel } from './model.js';
import type { LeftOutTable } from './names.js';

/** What loadModels needs to know. */
export interface LoadModelsOptions {
  data: DataLayer;
  /** The database whose tables get typed fields (the configured default database). */
  db: string;
  /** Declared models (from the models file); they override inferred ones. */
  declared: readonly TableModel[];
  /** Documents sampled per table for inference; 0 infers no fields (only the primary key and `_doc`). */
  sampleSize: number;
}

/** What loadModels read. */
export interface LoadedModels {
  /** Every table of the database when it was read, sorted by name. */
  readonly tables: readonly string[];
  readonly models: TableModel[];
  /**
   * Inferred tables the database could not serve (TableUnavailable: a table not ready yet, a
   * replica down on RethinkDB), even after the read's retries: left out this time, and why. A
   * declared table keeps its declared model instead. A database that cannot be reached at all
   * fails the load instead (the schema served is kept).
   */
  readonly unavailable: readonly LeftOutTable[];
}

/**
 * The models of every table of `db`: declared tables the database lacks are created, the
 * secondary index behind every declared reverse relation is created if missing, then every
 * table's fields are inferred from a sample and the declarations merged over them.
 */
export async function loadModels({ data, db, declared, sampleSize }: LoadModelsOptions): Promise<LoadedModels> {
  await ensureDeclared(data, db, declared);
  const tables = await data.catalog.tableList(db);
  const declaredTables = new Set(declared.map((model) => model.table));
  const unavailable: LeftOutTable[] = [];
  const inferred = await Promise.all(
    tables.map(async (info) => {
      try {
        return [inferModel(info.name, info.primaryKey, await data.modelReads.sample(db, info.name, sampleSize))];
      } catch (error) {
        if (!(error instanceof TableUnavailable)) throw error;
        if (!declaredTables.has(info.name)) unavailable.push({ table: info.name, reason: `not available yet, so not sampled: ${error.message}` });
        return [];
      }
    }),
  );
  return { tables: tables.map((info) => info.name), models: mergeModels(inferred.flat(), declared), unavailable };
}

async function ensureDeclared(data: DataLayer, db: string, declared: readonly TableModel[]): Promise<void> {
  if (declared.length === 0) return;
  const existing = new Set((await data.catalog.tableList(db)).map((info) => info.name));
  for (const model of declared) {
    if (existing.has(model.table)) continue;
    await data.catalog.createTable(db, model.table, model.primaryKey).catch(async (error: unknown) => {
      // Another gateway replica may have created it at the same moment.
      if (!(await data.catalog.tableList(db)).some((info) => info.name === model.table)) throw error;
    });
  }
  for (const model of declared) {
    const info = await data.catalog.table(db, model.table);
    for (const field of model.fields) {
      if (field.reverse === undefined || info.indexes.includes(field.key)) continue;
      await data.catalog.createIndex(db, model.table, field.key, field.key).catch(async (error: unknown) => {
        if (!(await data.catalog.table(db, model.table)).indexes.includes(field.key)) throw error;
      });
    }
  }
}
