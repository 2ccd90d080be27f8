import type { Builder } from './builder.js';

/** The `t.arg` helper of a query/mutation field builder. */
export type ArgBuilder = Parameters<Parameters<Builder['queryField']>[1]>[0]['arg'];

/** `db` (optional: the configured default) and `table`, which every document field takes. */
export function tableArgs(arg: ArgBuilder) {
  return {
    db: arg.string({ description: 'Database; defaults to the gateway\'s configured database.' }),
    table: arg.string({ required: true }),
  };
}
