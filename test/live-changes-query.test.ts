import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLiveChange } from '../examples/live-changes.js';
import type { Document } from '../src/db/index.js';
import { parseWhere } from '../src/filter/parse.js';
import { documentComparator } from '../src/filter/order.js';
import { createLogger } from '../src/observability/logger.js';
import { liveCoalescing } from '../src/subscriptions/coalescing.js';
import type { LiveChange, LiveResult } from '../src/subscriptions/events.js';
import { LiveChangesQuery } from '../src/subscriptions/live-changes-query.js';
import { LiveQuery } from '../src/subscriptions/live-query.js';
import { Subscriber } from '../src/subscriptions/subscriber.js';
import type { LiveSpec } from '../src/subscriptions/window-query.js';

const log = createLogger('silent');
const compare = documentComparator([{ path: ['score'], descending: true }], 'id');
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function drain<T>(subscriber: Subscriber<T>): Promise<T[]> {
  const items: T[] = [];
  while (subscriber.stream.size > 0) items.push((await subscriber.stream.next()).value as T);
  return items;
}

const step = fc.record({ id: fc.integer({ min: 0, max: 9 }), score: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4 }), out: fc.boolean() });

describe('LiveChangesQuery next to LiveQuery on the same changes', () => {
  it('after every change, the deltas applied to the array give exactly the result live sends (and none when live sends none)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (steps, limit) => {
        const table = new Map<string, Document>();
        const matches = (doc: Document) => doc.team !== 'out';
        const truth = () => [...table.values()].filter(matches).sort(compare).slice(0, limit);
        const spec: LiveSpec = { primaryKey: 'id', limit, compare, where: parseWhere({ team: { ne: 'out' } }), read: async () => truth() };
        const live = new LiveQuery('live', 'f', spec, log);
        const deltas = new LiveChangesQuery('deltas', 'f', spec, log, { events: 100, maxAgeMs: 60_000 });
        const results = new Subscriber<LiveResult>({ capacity: 10_000, throttleMs: 0, overflow: 'fail', coalescing: liveCoalescing, onClose: () => undefined });
        const changes = new Subscriber<LiveChange>({ capacity: 10_000, throttleMs: 0, overflow: 'fail', coalescing: { keyOf: () => '', merge: (_a, b) => b }, onClose: () => undefined });
        live.join(results);
        deltas.join(changes);
        live.onFeedOpen();
        deltas.onFeedOpen();
        await settle();
        const rows: Document[] = [];
        for (const delta of await drain(changes)) applyLiveChange(rows, delta);
        expect(rows).toEqual((await drain(results))[0]?.documents);
        for (const { id, score, out } of steps) {
          const key = `p${id}`;
          const old = table.get(key) ?? null;
          const doc = score === null ? null : { id: key, score, team: out ? 'out' : 'in' };
          if (doc) table.set(key, doc);
          else table.delete(key);
          if (!old && !doc) continue;
          live.onChange({ old_val: old, new_val: doc });
          deltas.onChange({ old_val: old, new_val: doc });
          await settle();
          const sent = await drain(results);
          const batch = await drain(changes);
          for (const delta of batch) applyLiveChange(rows, delta);
          expect(sent.length).toBeLessThanOrEqual(1);
          if (sent.length === 0) expect(batch).toEqual([]);
          else expect(rows).toEqual(sent[0]?.documents);
          expect(rows).toEqual(truth());
        }
      }),
      { numRuns: 300 },
    );
  });
});
