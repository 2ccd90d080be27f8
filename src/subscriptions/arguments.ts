import { BadInput } from '../errors/domain.js';
import { parseResumeToken, type ResumePosition } from './resume-token.js';

/**
 * What a `changes` subscription asks for, whoever names the table: the hub (db and table
 * resolved, `where` as parsed JSON), the generic field (JSON filter) and the typed fields
 * (typed filter) all take this shape with their own `Where`.
 */
export interface ChangesOptions<Where> {
  /** Watch one document (by primary key). */
  id?: string | null;
  where?: Where | null;
  /** @default false */
  includeInitial?: boolean | null;
  /** Milliseconds; at most one event per document per window. @default 0 */
  throttle?: number | null;
  /** A resume token from an earlier event: the missed events follow, or RESET and the current state. */
  resumeFrom?: string | null;
}

/** What a `liveChanges` subscription asks for: an ordered window (no throttle: deltas cannot be squashed without losing positions). */
export interface WindowOptions<Where, Order> {
  where?: Where | null;
  orderBy: readonly Order[];
  limit: number;
  /** A resume token from an earlier result or delta: the missed deltas follow (live: the current result), or RESET and the rows. */
  resumeFrom?: string | null;
}

/** What a `live` subscription asks for: an ordered window, throttled. */
export interface LiveOptions<Where, Order> extends WindowOptions<Where, Order> {
  /** Milliseconds; at most one result per window. @default 0 */
  throttle?: number | null;
}

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
