import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body.js';
import type { Gate } from '../auth/gate.js';
import { httpRefusal, httpRefusalOf, type HttpRefusal } from '../errors/http.js';
import type { RequestHandler } from '../http/router.js';
import { errorReply, RDM_HEALTH_TEXT, serializeRdmReply, type RdmReply } from './protocol.js';
import type { RdmTranslator } from './translator.js';

export interface RdmHttpOptions {
  translator: RdmTranslator;
  /** Authenticates and rate-limits each request (credential in Authorization / X-Api-Key, or the `token` query parameter). */
  gate: Gate;
  /** Path RDM is mounted under on the main port. @default '/rdm' */
  mount?: string;
  maxBodyBytes: number;
}

/**
 * HTTP glue: `POST <mount>/<operation>` with the packet as the body answers with the RDM reply
 * as JSON (HTTP status = `status_code`); `GET <mount>/health` answers RDM's plain-text health.
 */
export function createRdmHttpHandler({ translator, gate, mount = '/rdm', maxBodyBytes }: RdmHttpOptions): RequestHandler {
  return async (request, response) => {
    const path = requestPath(request).slice(mount.length) || '/';
    if (path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
      return sendHealth(response);
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('allow', path === '/health' ? 'GET, HEAD, POST' : 'POST');
      return sendRefusal(response, path, httpRefusal('METHOD_NOT_ALLOWED', `use POST for RDM operations (got ${request.method})`));
    }
    let identity;
    try {
      identity = await gate.admitRequest(request, true);
    } catch (error) {
      request.resume();
      return sendRefusal(response, path, httpRefusalOf(error));
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) return sendRefusal(response, path, httpRefusal('BAD_USER_INPUT', `packet exceeds the limit of ${maxBodyBytes} bytes`, { status: 413 }));
    const requestId = String(response.getHeader('x-request-id') ?? '') || undefined;
    const reply = await translator.handle(path, body, { transport: 'http', requestId, identity });
    sendReply(response, reply.status_code, reply);
  };
}

/** The request path without its query string. */
export function requestPath(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}

/** RDM's health answer: HTTP 200, text/plain. */
export function sendHealth(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(RDM_HEALTH_TEXT) });
  response.end(RDM_HEALTH_TEXT);
}

function sendReply(response: ServerResponse, status: number, reply: RdmReply, headers: Record<string, string> = {}): void {
  const text = serializeRdmReply(reply);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** A refused request: the refusal's status and headers, RDM's error reply with its code and message. */
function sendRefusal(response: ServerResponse, path: string, { status, headers, info }: HttpRefusal): void {
  sendReply(response, status, errorReply(path, info), headers);
}
