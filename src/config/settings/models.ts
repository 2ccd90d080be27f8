import { integer, settings, text } from '../setting.js';

/** The typed per-table API: declared models and schema inference. */
export const MODELS = settings({
  modelsFile: {
    arg: '<file>',
    parse: text,
    fallback: undefined,
    help: [
      'JSON file of declared models (types, required fields,',
      'relations) for tables of the default database {env}',
      "(default: none, every table's type is inferred; with the demo",
      "on, the demo leaderboard's models)",
    ],
  },
  schemaSampleSize: {
    arg: '<n>',
    parse: integer(0, 100_000),
    fallback: 100,
    help: ['documents read per table to infer its type, 0 = none', '{env} (default {default})'],
  },
  schemaRefreshMs: {
    arg: '<n>',
    parse: integer(0, 3_600_000),
    fallback: 5000,
    help: ['how often the table list is checked so the schema follows', 'created and dropped tables, 0 = never {env}', '(default {default})'],
  },
});
