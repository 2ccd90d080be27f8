import { expect } from 'vitest';
import type { ChangesData, Collector, Doc } from './subscriptions.js';

/**
 * Applies a `changes` subscriber's events, checking each against what it held (an INITIAL or
 * ADD of a new id, a CHANGE or REMOVE whose `old` is exactly the document it had: so a
 * duplicate or a stale event fails the test), and returns the state it ends with, by id.
 */
export function replayChanges(subscription: Collector<ChangesData>): Map<string, Doc> {
  const state = new Map<string, Doc>();
  for (const { changes: event } of subscription.data) {
    if (event.type === 'READY' || event.type === 'RESET') continue;
    const id = String(event.id);
    if (event.type === 'INITIAL' || event.type === 'ADD') expect(state.has(id), `${event.type} of ${id} it already had`).toBe(false);
    else expect(event.old, `${event.type} of ${id}: old is what it had`).toEqual(state.get(id));
    if (event.new) state.set(id, event.new);
    else state.delete(id);
  }
  return state;
}

/** The documents of a state (or list), sorted by id: states compare equal whatever order events came in. */
export function sortedById(docs: Map<string, Doc> | readonly Doc[]): Doc[] {
  return [...docs.values()].sort((a, b) => a.id.localeCompare(b.id));
}
