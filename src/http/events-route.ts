import type { ServerResponse } from 'node:http';
import type { Gate } from '../auth/gate.js';
import type { ErrorCode } from '../errors/codes.js';
import { isDomainError } from '../errors/domain.js';
import { httpRefusal, httpRefusalOf, plainRefusalBody, type HttpRefusal } from '../errors/http.js';
import { readBody, sendJson } from './body.js';
import type { Logger } from '../observability/logger.js';
import { publishEvent, type ChannelDeps } from '../services/channels.js';
import type { Server } from './server.js';
import type { ChannelRules } from '../subscriptions/channel-rules.js';
import type { Channels } from '../subscriptions/channels.js';

export interface EventsRouteOptions {
  channels: Channels;
  /** Authenticates and rate-limits each request; the caller's role must be a publisher of the channel. */
  gate: Gate;
  /** Who may publish where (the CHANNELS setting). */
  channelRules: ChannelRules;
  maxBodyBytes: number;
  log: Logger;
  /** @default '/events' */
  path?: string;
}

/** Answers with a refusal's status, headers and `{"error": {"code", "message"}}` body (src/errors/http.ts). */
function sendRefusal(response: ServerResponse, refusal: HttpRefusal): void {
  sendJson(response, refusal.status, plainRefusalBody(refusal), refusal.headers);
}

function sendError(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendRefusal(response, httpRefusal(code, message, { status }));
}

/**
 * `POST /events` with `{"channel": "...", "data": <any JSON>}`: publishes like the `publish`
 * mutation, for server-side programs without a GraphQL client, authenticated as GraphQL is
 * (Authorization / X-Api-Key). 201 with the stored event; errors are `{"error": {"code",
 * "message"}}` with 400/401/403/405/413/415/429/503.
 */
export function mountEventsRoute(server: Server, { channels, gate, channelRules, maxBodyBytes, log, path = '/events' }: EventsRouteOptions): void {
  const deps: ChannelDeps = { channels, config: { security: { channels: channelRules } } };
  server.onRequest(path, async (request, response) => {
    if ((request.url ?? '').split('?')[0] !== path) {
      request.resume();
      return sendError(response, 404, 'NOT_FOUND', `no route ${request.url ?? ''}; publish with POST ${path}`);
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('allow', 'POST');
      return sendError(response, 405, 'METHOD_NOT_ALLOWED', `use POST ${path} with {"channel", "data"} (got ${request.method})`);
    }
    let identity;
    try {
      identity = await gate.admitRequest(request);
    } catch (error) {
      request.resume();
      if (!isDomainError(error)) log.error({ err: error }, 'could not authenticate a publisher');
      return sendRefusal(response, httpRefusalOf(error, 'unexpected error'));
    }
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      request.resume();
      return sendError(response, 415, 'BAD_USER_INPUT', 'send the event as JSON (content-type: application/json)');
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) return sendError(response, 413, 'BAD_USER_INPUT', `the body exceeds the limit of ${maxBodyBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return sendError(response, 400, 'BAD_USER_INPUT', `the body is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { channel?: unknown }).channel !== 'string') {
      return sendError(response, 400, 'BAD_USER_INPUT', 'the body must be a JSON object {"channel": "<name>", "data": <any JSON>}');
    }
    const { channel, data } = parsed as { channel: string; data?: unknown };
    try {
      sendJson(response, 201, await publishEvent(deps, identity, channel, data));
    } catch (error) {
      if (!isDomainError(error)) log.error({ err: error }, 'could not publish an event');
      sendRefusal(response, httpRefusalOf(error, 'unexpected error'));
    }
  });
}
