import type { Document } from '../db/index.js';

/**
 * What a `changes` event says. INITIAL: a document that matched when the subscription started
 * (only with `includeInitial`). READY: sent exactly once, after the INITIAL events (if any);
 * from then on every change is reported. ADD: a document now matches (inserted, or moved into
 * the filter). CHANGE: a matching document changed and still matches. REMOVE: a document no
 * longer matches (deleted, or moved out of the filter).
 */
export type ChangeType = 'INITIAL' | 'READY' | 'ADD' | 'CHANGE' | 'REMOVE';

/** One `changes` event. `old` is what the subscriber last saw (null for INITIAL/ADD/READY); `new` is null for REMOVE/READY. */
export interface ChangeEvent {
  readonly type: ChangeType;
  /** The document's primary key; null for READY. */
  readonly id: string | number | null;
  readonly old: Document | null;
  readonly new: Document | null;
}

/** One `live` result: the whole current window, ordered, at most `limit` documents. */
export interface LiveResult {
  readonly documents: readonly Document[];
}

/** What a subscription stream yields: events, or a final error (the stream ends after it). */
export type Payload<T> = T | Error;

export const READY: ChangeEvent = Object.freeze({ type: 'READY', id: null, old: null, new: null });
