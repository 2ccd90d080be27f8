import type { Document } from '../db/index.js';

/**
 * What a `changes` event says. RESET: a resume token could not be honoured (too old, another
 * gateway instance, a restart, a lost database feed): forget your state, the current state
 * follows as INITIAL events, then READY. INITIAL: a document that matched when the
 * subscription started (with `includeInitial`, or after RESET). READY: sent exactly once, after
 * the INITIAL events (if any) or after the events a resume replayed; from then on every change
 * is reported. ADD: a document now matches (inserted, or moved into the filter). CHANGE: a
 * matching document changed and still matches. REMOVE: a document no longer matches (deleted,
 * or moved out of the filter).
 */
export type ChangeType = 'RESET' | 'INITIAL' | 'READY' | 'ADD' | 'CHANGE' | 'REMOVE';

/** One `changes` event. `old` is what the subscriber last saw (null for INITIAL/ADD/READY/RESET); `new` is null for REMOVE/READY/RESET. */
export interface ChangeEvent {
  readonly type: ChangeType;
  /** The document's primary key; null for READY and RESET. */
  readonly id: string | number | null;
  readonly old: Document | null;
  readonly new: Document | null;
  /** Where this event leaves the subscriber, for `resumeFrom`; null for RESET and INITIAL (a snapshot cannot be resumed halfway). */
  readonly resumeToken: string | null;
}

/** One `live` result: the whole current window, ordered, at most `limit` documents. */
export interface LiveResult {
  readonly documents: readonly Document[];
  /** The result's resume token (resuming a `live` subscription resends the current result). */
  readonly resumeToken: string;
}

/**
 * What a `liveChanges` delta does to the ordered window, applied in order to the array the
 * previous deltas left: INITIAL / ADD insert `new` at `index`; REMOVE deletes the row at
 * `oldIndex`; MOVE takes the row at `oldIndex` out and inserts `new` at `index`; CHANGE
 * replaces the row at `index` with `new`. RESET (empty the array) and READY as for `changes`.
 */
export type LiveChangeType = 'RESET' | 'INITIAL' | 'READY' | 'ADD' | 'REMOVE' | 'MOVE' | 'CHANGE';

/** One `liveChanges` delta (see LiveChangeType). */
export interface LiveChange {
  readonly type: LiveChangeType;
  /** The row's primary key; null for READY and RESET. */
  readonly id: string | number | null;
  /** The row's index after this delta; null for REMOVE, READY and RESET. */
  readonly index: number | null;
  /** The row's index before this delta (REMOVE, MOVE, CHANGE); otherwise null. */
  readonly oldIndex: number | null;
  /** The row now (INITIAL, ADD, MOVE, CHANGE); otherwise null. */
  readonly new: Document | null;
  /** As for ChangeEvent: null for RESET and INITIAL. */
  readonly resumeToken: string | null;
}

/** What a subscription stream yields: events, or a final error (the stream ends after it). */
export type Payload<T> = T | Error;

/** The RESET event of `changes`. */
export const CHANGES_RESET: ChangeEvent = Object.freeze({ type: 'RESET', id: null, old: null, new: null, resumeToken: null });

/** The READY event of `changes` at a position. */
export function changesReady(resumeToken: string): ChangeEvent {
  return Object.freeze({ type: 'READY', id: null, old: null, new: null, resumeToken });
}
