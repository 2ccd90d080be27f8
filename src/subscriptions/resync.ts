import type { RawChange } from '../db/index.js';

/**
 * The buffered changes a snapshot may not reflect, in order. Changes that arrived while the
 * snapshot was being read may or may not be in it; replaying one it already holds would send
 * a stale value. For each document, `reflects(key, change)` says whether the snapshot holds
 * exactly the value that change produced: that change and every earlier one for the document
 * are dropped. (A document that went A -> B -> A during the read loses two net-zero events.)
 */
export function unreflected(
  buffered: readonly RawChange[],
  keyOf: (change: RawChange) => string | undefined,
  reflects: (key: string, change: RawChange) => boolean,
): RawChange[] {
  const lastReflected = new Map<string, number>();
  buffered.forEach((change, i) => {
    const key = keyOf(change);
    if (key !== undefined && reflects(key, change)) lastReflected.set(key, i);
  });
  return buffered.filter((change, i) => {
    const key = keyOf(change);
    return key === undefined || i > (lastReflected.get(key) ?? -1);
  });
}
