import { CloseCode } from 'graphql-ws';
import type { ErrorCode } from './codes.js';

/** Close codes of graphql-ws connections: graphql-ws's own where it has one, ours in its 4xxx range. */
export const GraphqlWsCloseCode = {
  /** A refused credential (graphql-ws closes with it when onConnect returns false), or an expired one. */
  Forbidden: CloseCode.Forbidden,
  /**
   * A rate limit or the per-key connection cap, by analogy with HTTP 429. The same number as
   * graphql-ws's TooManyInitialisationRequests, which the gateway never sends for another reason.
   */
  TooManyRequests: 4429,
} as const;

/** Close codes the RDM websocket endpoints use (standard websocket codes). */
export enum RdmCloseCode {
  /** After the one reply (the legacy default), or when a keep-alive client leaves. */
  Normal = 1000,
  /** The gateway is shutting down. */
  GoingAway = 1001,
  /** The connection's credential expired (after the UNAUTHENTICATED error reply to the packet that found it). */
  PolicyViolation = 1008,
  /** A frame beyond the transport's hard limit (twice maxBodyBytes); smaller oversize packets get an error reply. */
  TooBig = 1009,
}

/** The close code of a graphql-ws connection refused at connection_init with `code`: 4429 for RATE_LIMITED, else 4403. */
export function graphqlWsCloseOf(code: ErrorCode): number {
  return code === 'RATE_LIMITED' ? GraphqlWsCloseCode.TooManyRequests : GraphqlWsCloseCode.Forbidden;
}

/** The close code after an RDM packet was refused with `code` (1008 once the credential expired), or undefined: the socket stays open. */
export function rdmCloseOf(code: ErrorCode): RdmCloseCode | undefined {
  return code === 'UNAUTHENTICATED' ? RdmCloseCode.PolicyViolation : undefined;
}
