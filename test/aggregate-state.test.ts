import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyAccumulator, parseAggregate, resultOf, type Accumulator } from '../src/db/index.js';
import { sortValue } from '../src/filter/order.js';
import { AggregateState } from '../src/subscriptions/aggregate-state.js';

// The gateway's live aggregate state against a from-scratch computation over the same rows, after
// any sequence of row changes, including the ones a feed can bring: a delete of a row already
// gone (reqlite sends some deletes twice) and the same row state applied again (an event that
// arrives after a read that already reflected it).
const spec = parseAggregate({ groupBy: ['g'], sum: ['x'], avg: ['x'], min: ['x', 'y'], max: ['x', 'y'] });

function fromScratch(rows: ReadonlyMap<string, Record<string, unknown>>) {
  const groups = new Map<string, Accumulator>();
  for (const doc of rows.values()) {
    const key = [sortValue(doc, ['g'])];
    const id = JSON.stringify(key);
    const acc = groups.get(id) ?? emptyAccumulator(spec, key);
    groups.set(id, acc);
    acc.c += 1;
    spec.numeric.forEach((field, i) => {
      const value = doc[field];
      if (typeof value !== 'number') return;
      acc[`s${i}`] = (acc[`s${i}`] as number) + value;
      acc[`n${i}`] = (acc[`n${i}`] as number) + 1;
      acc[`lo${i}`] = Math.min((acc[`lo${i}`] as number | null) ?? value, value);
      acc[`hi${i}`] = Math.max((acc[`hi${i}`] as number | null) ?? value, value);
    });
  }
  return resultOf(spec, groups.values());
}

const value = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('s', null, true, 1.5));
const step = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  doc: fc.option(fc.record({ g: fc.constantFrom('p', 'q', null), x: value, y: value }, { requiredKeys: [] }), { nil: undefined }),
  repeat: fc.boolean(),
});

describe('AggregateState', () => {
  it('equals a fresh computation after any changes, repeated ones and deletes of gone rows included', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const state = new AggregateState(spec);
        state.reset([]);
        const rows = new Map<string, Record<string, unknown>>();
        for (const { id, doc, repeat } of steps) {
          for (let i = 0; i < (repeat ? 2 : 1); i++) state.apply(id, doc && { id, ...doc });
          if (doc) rows.set(id, { id, ...doc });
          else rows.delete(id);
          expect(state.result()).toEqual(fromScratch(rows));
        }
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('starts from contributions read from the database', () => {
    const state = new AggregateState(spec);
    state.reset([
      { id: 'a', k: ['p'], v: [3, null] },
      { id: 'b', k: ['p'], v: [1, 7] },
    ]);
    expect(state.apply('a', undefined)).toBe(true);
    expect(state.apply('a', undefined)).toBe(false);
    expect(state.result().groups).toEqual([{ key: { g: 'p' }, count: 1, sum: { x: 1 }, avg: { x: 1 }, min: { x: 1, y: 7 }, max: { x: 1, y: 7 } }]);
  });
});
