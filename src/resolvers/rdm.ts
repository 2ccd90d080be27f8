import type { Context } from '../graphql/context.js';
import type { RdmOperation, RdmReply } from '../rdm/protocol.js';

/** The RDM compatibility field: the packet goes through the same translator as the HTTP and websocket ways in. */
export function rdm(ctx: Context, args: { operation: RdmOperation; packet?: unknown }): Promise<RdmReply> {
  return ctx.rdm.handle(`/${args.operation}`, args.packet, { transport: 'graphql', requestId: ctx.requestId, identity: ctx.identity });
}
