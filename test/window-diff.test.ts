import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLiveChange } from '../examples/live-changes.js';
import type { Document } from '../src/db/index.js';
import { reqlEqual } from '../src/filter/order.js';
import { diffWindow } from '../src/subscriptions/window-diff.js';

const keyOf = (doc: Document) => String(doc.id);
const rows = (spec: string) => spec.split(' ').filter(Boolean).map((id) => ({ id, v: id.length > 1 ? Number(id.slice(1)) : 0 }));

/** Applies the deltas with the examples/ helper, as a client would. */
function applied(before: Document[], after: Document[]): { result: Document[]; steps: string[] } {
  const deltas = diffWindow(before, after, keyOf, reqlEqual);
  const result = [...before];
  for (const delta of deltas) applyLiveChange(result, { type: delta.type, index: delta.index, oldIndex: delta.oldIndex, new: delta.doc });
  return { result, steps: deltas.map((delta) => `${delta.type} ${keyOf(delta.doc)} ${delta.oldIndex ?? '-'}>${delta.index ?? '-'}`) };
}

describe('diffWindow', () => {
  it('turns any window into any other (random rows, orders, values)', () => {
    const window = fc.uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), v: fc.integer({ min: 0, max: 2 }) }), { selector: (doc) => doc.id, maxLength: 8 });
    fc.assert(
      fc.property(window, window, (before, after) => {
        expect(applied(before, after).result).toEqual(after);
      }),
      { numRuns: 2000 },
    );
  });

  it('moves one row rising or falling through the window as ONE step, not a shift of every row it passes', () => {
    expect(applied(rows('a b c d e'), rows('e a b c d')).steps).toEqual(['MOVE e 4>0']);
    expect(applied(rows('a b c d e'), rows('b c d e a')).steps).toEqual(['MOVE a 0>4']);
    expect(applied(rows('a b c d e'), rows('a d b c e')).steps).toEqual(['MOVE d 3>1']);
  });

  it('sends a row pushed out and one entering as REMOVE and ADD, and an in-place change as CHANGE', () => {
    expect(applied(rows('a b c'), rows('x a b')).steps).toEqual(['REMOVE c 2>-', 'ADD x ->0']);
    expect(applied([{ id: 'a', v: 1 }, { id: 'b', v: 0 }], [{ id: 'a', v: 2 }, { id: 'b', v: 0 }]).steps).toEqual(['CHANGE a 0>0']);
    expect(applied(rows('a b'), rows('a b')).steps).toEqual([]);
  });
});
