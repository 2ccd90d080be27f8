import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A fresh request id (a UUID) as one flat string. Why not `randomUUID()` as is: Node builds it by
 * concatenating pieces, and V8 keeps such a string as a tree of ~20 parts (~490 bytes instead of
 * ~60) for as long as it lives: a subscription's context keeps its id for hours. The JSON round
 * trip copies it flat and costs about as much as the UUID itself.
 */
export function newRequestId(): string {
  return JSON.parse(JSON.stringify(randomUUID())) as string;
}

/** A client's X-Request-Id when it is a sane token (1-128 of [A-Za-z0-9_.:-]), else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newRequestId();
}
