import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { GatewayYoga, ServerContext } from '../graphql/context.js';
import { clientErrorJson } from '../errors/graphql.js';
import { readBody } from './body.js';
import type { OperationContexts } from '../graphql/operation-context.js';
import type { TrustedDocuments } from '../graphql/trusted-documents.js';
import { isJsonObject } from '../util/json.js';

/** What the fast path answers with, by the request's Accept header; undefined: leave it to yoga. */
function responseType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '' || accept === '*/*' || accept.startsWith('application/json')) return 'application/json; charset=utf-8';
  if (accept.startsWith('application/graphql-response+json')) return 'application/graphql-response+json; charset=utf-8';
  return undefined;
}

/** The result as yoga serialises it (errors as src/errors/graphql.ts `clientErrorJson` shows them). */
function serialize(result: ExecutionResult): string {
  if (!result.errors?.length) return JSON.stringify(result);
  return JSON.stringify({ ...result, errors: result.errors.map(clientErrorJson) });
}

/** What the fast path runs with. */
export interface FastPathOptions {
  yoga: GatewayYoga;
  /** Builds the operation's context whole (src/graphql/operation-context.ts). */
  contexts: OperationContexts;
  /** Largest body read, in bytes. */
  maxBodyBytes: number;
  /** Trusted documents, honoured as yoga's plugin does. @default off */
  trusted?: TrustedDocuments;
}

/**
 * The gateway's hot path: a plain JSON `POST {query, variables, operationName}` of a valid
 * query or mutation, answered as JSON, runs through yoga's envelop — the same plugins as every
 * other request: limits, row budget, metrics, live schema, error masking, context with identity
 * and loaders — but without yoga's Fetch API adaptation (a Request and a Response object, body
 * streams and media-type negotiation per request, about a fifth of the gateway's CPU under a
 * get-by-id load), and with the operation's context built whole (src/graphql/operation-context.ts).
 * Everything else returns false, with the body it read left on
 * `request.body`, where yoga's Node adapter takes it instead of the spent stream:
 * subscriptions, SSE, GET, CORS requests (an Origin header), other media types, invalid
 * documents, request errors and malformed bodies all get yoga's exact answers. With `trusted`
 * (TRUSTED_DOCUMENTS), the fast path honours them as yoga's plugin does: a known `documentId`
 * runs its document here; anything trusted documents refuse goes to yoga, which refuses and counts it.
 */
export async function answerFastQuery({ yoga, contexts, maxBodyBytes, trusted }: FastPathOptions, request: IncomingMessage, response: ServerResponse, serverContext: ServerContext): Promise<boolean> {
  const type = responseType(request.headers.accept);
  const eligible = request.method === 'POST' && type !== undefined && request.headers.origin === undefined && /^application\/json\b/i.test(request.headers['content-type'] ?? '');
  if (!eligible) return false;
  const text = await readBody(request, maxBodyBytes);
  if (text === undefined) {
    // Only an aborted request gets here: the server refused oversize bodies by Content-Length.
    response.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify({ errors: [{ message: `request body exceeds the limit of ${maxBodyBytes} bytes` }] }));
    return true;
  }
  const fallBack = () => {
    (request as IncomingMessage & { body?: unknown }).body = Buffer.from(text);
    return false;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fallBack();
  }
  if (!isJsonObject(parsed)) return fallBack();
  let params = parsed;
  if (trusted) {
    const admission = trusted.admit(parsed, serverContext.identity);
    if (!admission.ok) return fallBack();
    params = { query: admission.query, variables: parsed.variables, operationName: parsed.operationName, extensions: parsed.extensions };
  }
  if (typeof params.query !== 'string') return fallBack();
  const variables = params.variables ?? undefined;
  const operationName = params.operationName ?? undefined;
  if ((variables !== undefined && !isJsonObject(variables)) || (operationName !== undefined && typeof operationName !== 'string')) return fallBack();
  let context;
  try {
    context = contexts.build(serverContext, { params, fastPath: true });
  } catch {
    return fallBack(); // refused (no identity while authentication is required): yoga answers as it does
  }
  const { schema, parse, validate, execute, contextFactory } = yoga.getEnveloped(context);
  let document;
  try {
    document = parse(params.query);
  } catch {
    return fallBack();
  }
  const operation = getOperationAST(document, operationName)?.operation;
  if ((operation !== 'query' && operation !== 'mutation') || validate(schema, document).length > 0) return fallBack();
  const result = (await execute({ schema, document, variableValues: variables, operationName, contextValue: await contextFactory() })) as ExecutionResult;
  // No `data` at all is a request error (bad variables, a refused limit): nothing ran, so yoga
  // may run the request again and answer with its own status per media type. With `data` —
  // even null, when a non-null root field failed — the operation ran (a mutation has written):
  // it is answered here, with 200 as yoga does.
  if (result.data === undefined) return fallBack();
  const body = serialize(result);
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
  return true;
}
