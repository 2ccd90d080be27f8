import type { ServerResponse } from 'node:http';
import { refusalHeaders, type Gate } from '../auth/gate.js';
import { isDomainError, type ErrorCode } from '../errors/domain.js';
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

const statusOf: Readonly<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  SUBSCRIBER_TOO_SLOW: 500,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
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
      const { status, headers } = refusalHeaders(error);
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      if (isDomainError(error)) return sendError(response, status, error.code, error.message);
      log.error({ err: error }, 'could not authenticate a publisher');
      return sendError(response, 500, 'INTERNAL_SERVER_ERROR', 'unexpected error');
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
      if (isDomainError(error)) return sendError(response, statusOf[error.code], error.code, error.message);
      log.error({ err: error }, 'could not publish an event');
      sendError(response, 500, 'INTERNAL_SERVER_ERROR', 'unexpected error');
    }
  });
}
