import { rowBudget } from '../graphql/plugins/row-budget.js';
import * as resolve from '../resolvers/rdm.js';
import { RDM_OPERATIONS, type RdmOperation } from '../rdm/protocol.js';
import type { Builder } from './builder.js';

/** The `rdm` compatibility mutation and its RdmOperation enum. */
export function registerRdm(builder: Builder): void {
  const RdmOperationEnum = builder.enumType('RdmOperation', {
    description: 'An operation of the Rethink Data Manager (RDM) protocol; the value names its path (INSERT is /insert).',
    values: Object.fromEntries(RDM_OPERATIONS.map((operation) => [operation.toUpperCase(), { value: operation }])) as Record<
      Uppercase<RdmOperation>,
      { value: RdmOperation }
    >,
  });

  builder.mutationFields((t) => ({
    rdm: t.field({
      type: 'JSON',
      description:
        'Runs one RDM packet ({id, type, payload: {database, table, data, identifier, filter}, time}, as an object or as its JSON text) ' +
        'and returns the RDM reply {status_code, response_message}; failures are replies with status_code 500 and an `error` ' +
        '{code, message}, not GraphQL errors. Same translation, validation and audit trail as POST /rdm/<operation> and the websockets.',
      args: {
        operation: t.arg({ type: RdmOperationEnum, required: true }),
        packet: t.arg({ type: 'JSON', required: true }),
      },
      resolve: (_root, args, ctx) => resolve.rdm(ctx, args),
      extensions: rowBudget('rdm'),
    }),
  }));
}
