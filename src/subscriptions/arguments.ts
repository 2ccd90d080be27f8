import { BadInput } from '../errors/domain.js';
import { parseResumeToken, type ResumePosition } from './resume-token.js';

/** Longest throttle window a client may ask for. */
const MAX_THROTTLE_MS = 60_000;

/** The position a `resumeFrom` token names; undefined without one. Throws BadInput for a string that is not a token. */
export function resumePosition(token: string | null | undefined): ResumePosition | undefined {
  return token === undefined || token === null ? undefined : parseResumeToken(token);
}

/** A throttle in milliseconds (0 to 60000; default 0). Throws BadInput. */
export function checkThrottle(throttle: number | null | undefined): number {
  const ms = throttle ?? 0;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_THROTTLE_MS) {
    throw new BadInput(`throttle must be a number of milliseconds from 0 to ${MAX_THROTTLE_MS} (got ${ms})`, { throttle: ms });
  }
  return ms;
}

/** Checks a window's `limit` (1 to `maxLimit`). Throws BadInput. */
export function checkLimit(limit: number, maxLimit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new BadInput(`limit must be an integer from 1 to ${maxLimit} (got ${limit})`, { limit });
  }
}

/** JSON with object keys sorted, so equal filters written in another key order share a query. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
