import { describe, expect, it } from 'vitest';
import { documentComparator } from '../src/filter/order.js';
import type { Document, RawChange } from '../src/db/index.js';
import { LiveWindow } from '../src/subscriptions/live-window.js';

/** A small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const compare = documentComparator([{ path: ['score'], descending: true }], 'id');
const matches = (doc: Document) => doc.team !== 'out';

function topN(table: Map<string, Document>, limit: number): Document[] {
  return [...table.values()].filter(matches).sort(compare).slice(0, limit);
}

describe('LiveWindow against a brute-force sort', () => {
  it.each([1, 3, 10])('stays exactly the top %i through random inserts, moves, filter changes and deletes', (limit) => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed * 7919 + limit);
      const table = new Map<string, Document>();
      const window = new LiveWindow(limit, compare, (doc) => JSON.stringify(doc.id), matches);
      window.reset([]);
      let refills = 0;
      for (let step = 0; step < 300; step++) {
        const id = `p${Math.floor(next() * 25)}`;
        const old = table.get(id) ?? null;
        const roll = next();
        let doc: Document | null;
        if (roll < 0.2) doc = null;
        else doc = { id, score: Math.floor(next() * 12), team: next() < 0.2 ? 'out' : 'in' };
        if (doc) table.set(id, doc);
        else table.delete(id);
        const change: RawChange = { old_val: old, new_val: doc };
        if (!old && !doc) continue;
        if (window.apply(change) === 'refill') {
          refills++;
          window.reset(topN(table, limit));
        }
        expect(window.documents, `seed ${seed} step ${step}`).toEqual(topN(table, limit));
      }
      expect(refills).toBeGreaterThan(0);
    }
  });

  it('needs no query when a row enters, moves within, or pushes the last row out', () => {
    const window = new LiveWindow(2, compare, (doc) => String(doc.id), matches);
    window.reset([{ id: 'a', score: 9 }, { id: 'b', score: 5 }]);
    expect(window.apply({ old_val: null, new_val: { id: 'c', score: 7 } })).toBe('changed');
    expect(window.documents.map((doc) => doc.id)).toEqual(['a', 'c']);
    expect(window.apply({ old_val: { id: 'c', score: 7 }, new_val: { id: 'c', score: 10 } })).toBe('changed');
    expect(window.documents.map((doc) => doc.id)).toEqual(['c', 'a']);
    expect(window.apply({ old_val: null, new_val: { id: 'd', score: 1 } })).toBe('unchanged');
    // The last row moving toward the front stays ahead of every row outside.
    expect(window.apply({ old_val: { id: 'a', score: 9 }, new_val: { id: 'a', score: 9.5 } })).toBe('changed');
    // A row leaving a full window that may have more matches outside: only the database knows the next one.
    expect(window.apply({ old_val: { id: 'a', score: 9.5 }, new_val: { id: 'a', score: 2 } })).toBe('refill');
  });
});
