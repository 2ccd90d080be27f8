import { reqlEqual } from '../filter/order.js';
import type { ChangeEvent, LiveResult } from './events.js';
import type { Coalescing } from './throttle.js';

/**
 * Squashes a document's events like RethinkDB's `squash`: one event from the first `old` to the
 * last `new`, typed by which exist (ADD then REMOVE cancel out; so does a change undone). The
 * merged event carries the later event's resume token.
 */
export const changeCoalescing: Coalescing<ChangeEvent> = {
  keyOf: (event) => JSON.stringify(event.id),
  merge(earlier, later) {
    const old = earlier.old;
    const next = later.new;
    if (!old && !next) return undefined;
    if (old && next && reqlEqual(old, next)) return undefined;
    return Object.freeze({ type: !old ? 'ADD' : !next ? 'REMOVE' : 'CHANGE', id: later.id, old, new: next, resumeToken: later.resumeToken });
  },
};

/** A live query's results: only the newest counts. */
export const liveCoalescing: Coalescing<LiveResult> = {
  keyOf: () => 'result',
  merge: (_earlier, later) => later,
};
