import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A fresh request id (a UUID) as one flat string. Why not `randomUUID()` as is: Node builds it by
 * concatenating pieces, and V8 keeps such a string as a tree of ~20 parts (~490 bytes instead of
 * ~60) for as long as it lives: a subscription's context keeps its id for hours. `toLowerCase`
 * (a no-op on its lowercase hex) flattens it: 56 bytes kept, 0.57 µs against 1.26 for the JSON
 * round trip this replaced (measured on Node 20).
 */
export function newRequestId(): string {
  return randomUUID().toLowerCase();
}

/** A client's X-Request-Id when it is a sane token (1-128 of [A-Za-z0-9_.:-]), else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newRequestId();
}
