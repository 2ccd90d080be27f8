import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Metrics } from '../../observability/metrics.js';
import type { ServerContext } from '../context.js';
import { refusalError, type TrustedDocuments } from '../trusted-documents.js';

/**
 * A GET request's `documentId` search parameter: yoga's GET parser keeps only query,
 * operationName, variables and extensions, and an EventSource (SSE) can only send a GET.
 */
function urlDocumentId(request: Request): string | undefined {
  if (request.method !== 'GET') return undefined;
  return new URL(request.url, 'http://localhost').searchParams.get('documentId') ?? undefined;
}

/**
 * Trusted documents for yoga's HTTP and SSE requests: in onParams, before yoga checks the
 * parameters, an operation's `documentId` becomes the document it names, and a document sent
 * by a role that may not is refused (trusted-documents.ts decides; refusals are counted here).
 * Added only when TRUSTED_DOCUMENTS is set. Not @graphql-yoga/plugin-persisted-operations: its
 * arbitrary-documents handler sees only the Fetch request, not the identity the gate put in
 * the server context, and onParams never runs for graphql-ws or the fast path, which enter
 * through `yoga.getEnveloped` and ask `TrustedDocuments.admit` themselves.
 */
export function useTrustedDocuments(trusted: TrustedDocuments, metrics: Metrics): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onParams({ params, request, setParams, context }) {
      const admission = trusted.admit(params as GraphQLParams & { documentId?: unknown }, context.identity, urlDocumentId(request));
      if (!admission.ok) {
        metrics.trustedDocumentRefusals.inc({ reason: admission.reason, transport: 'http' });
        throw refusalError(admission, 'http');
      }
      // Without `documentId`, which yoga's parameter check refuses as unexpected.
      setParams({ query: admission.query, operationName: params.operationName, variables: params.variables, extensions: params.extensions });
    },
  };
}
