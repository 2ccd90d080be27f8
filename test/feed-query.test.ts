import { describe, expect, it } from 'vitest';
import type { Document, RawChange } from '../src/db/index.js';
import { parseWhere } from '../src/filter/parse.js';
import { documentComparator } from '../src/filter/order.js';
import { createLogger } from '../src/observability/logger.js';
import { ChangesQuery } from '../src/subscriptions/changes-query.js';
import { changeCoalescing, liveCoalescing } from '../src/subscriptions/coalescing.js';
import type { ChangeEvent, LiveResult } from '../src/subscriptions/events.js';
import { LiveQuery } from '../src/subscriptions/live-query.js';
import { parseResumeToken } from '../src/subscriptions/resume-token.js';
import { Subscriber } from '../src/subscriptions/subscriber.js';

const log = createLogger('silent');

/** Snapshot reads the test answers by hand, so changes can arrive while one is in flight. */
function manualReads() {
  const pending: ((docs: Document[]) => void)[] = [];
  return {
    read: () => new Promise<Document[]>((resolve) => pending.push(resolve)),
    /** Answers the oldest read and lets the query take the answer. */
    async answer(docs: Document[]) {
      const next = pending.shift();
      if (!next) throw new Error('no read in flight');
      next(docs);
      await new Promise((resolve) => setImmediate(resolve));
    },
    get inFlight() {
      return pending.length;
    },
  };
}

/** What the subscriber's queue holds now. */
async function drain<T>(subscriber: Subscriber<T>): Promise<T[]> {
  const items: T[] = [];
  while (subscriber.stream.size > 0) items.push((await subscriber.stream.next()).value as T);
  return items;
}

const change = (old_val: Document | null, new_val: Document | null): RawChange => ({ old_val, new_val });
const short = (events: ChangeEvent[]) => events.map((event) => `${event.type}${event.id === null ? '' : ` ${event.id}:${String(event.new?.v ?? event.old?.v)}`}`);

describe('ChangesQuery', () => {
  it('replays only the changes an initial read does not reflect', async () => {
    const reads = manualReads();
    const query = new ChangesQuery('k', 'f', { primaryKey: 'id', where: parseWhere({ v: { gte: 1 } }), read: reads.read }, log);
    const subscriber = new Subscriber<ChangeEvent>({ capacity: 100, throttleMs: 0, overflow: 'fail', coalescing: changeCoalescing, includeInitial: true, onClose: () => undefined });
    query.join(subscriber);
    query.onFeedOpen();
    // During the read: a goes 1 -> 2 -> 3 (the read saw 2), b is inserted (the read saw it), c is inserted after the read.
    query.onChange(change({ id: 'a', v: 1 }, { id: 'a', v: 2 }));
    query.onChange(change(null, { id: 'b', v: 5 }));
    query.onChange(change({ id: 'a', v: 2 }, { id: 'a', v: 3 }));
    query.onChange(change(null, { id: 'c', v: 7 }));
    await reads.answer([{ id: 'a', v: 2 }, { id: 'b', v: 5 }]);
    expect(short(await drain(subscriber))).toEqual(['INITIAL a:2', 'INITIAL b:5', 'READY', 'CHANGE a:3', 'ADD c:7']);
  });

  it('after a lost feed, reports exactly what changed as a diff, then buffered changes', async () => {
    const reads = manualReads();
    const query = new ChangesQuery('k', 'f', { primaryKey: 'id', read: reads.read }, log);
    const subscriber = new Subscriber<ChangeEvent>({ capacity: 100, throttleMs: 0, overflow: 'fail', coalescing: changeCoalescing, onClose: () => undefined });
    query.join(subscriber);
    query.onFeedOpen();
    await reads.answer([{ id: 'a', v: 1 }, { id: 'b', v: 1 }]);
    query.onFeedDown();
    query.onFeedOpen();
    query.onChange(change({ id: 'd', v: 1 }, { id: 'd', v: 2 }));
    await reads.answer([{ id: 'a', v: 1 }, { id: 'c', v: 1 }, { id: 'd', v: 1 }]);
    expect(short(await drain(subscriber))).toEqual(['READY', 'ADD c:1', 'ADD d:1', 'REMOVE b:1', 'CHANGE d:2']);
  });

  it('ignores the answer of a read that a lost feed superseded', async () => {
    const reads = manualReads();
    const query = new ChangesQuery('k', 'f', { primaryKey: 'id', read: reads.read }, log);
    const subscriber = new Subscriber<ChangeEvent>({ capacity: 100, throttleMs: 0, overflow: 'fail', coalescing: changeCoalescing, includeInitial: true, onClose: () => undefined });
    query.join(subscriber);
    query.onFeedOpen();
    query.onFeedDown();
    query.onFeedOpen();
    await reads.answer([{ id: 'stale', v: 1 }]);
    await reads.answer([{ id: 'fresh', v: 1 }]);
    expect(short(await drain(subscriber))).toEqual(['INITIAL fresh:1', 'READY']);
  });
});

describe('resuming a ChangesQuery', () => {
  const subscriber = () => new Subscriber<ChangeEvent>({ capacity: 100, throttleMs: 0, overflow: 'fail', coalescing: changeCoalescing, onClose: () => undefined });
  async function loadedQuery() {
    const reads = manualReads();
    const query = new ChangesQuery('k', 'f', { primaryKey: 'id', read: reads.read }, log, { events: 100, maxAgeMs: 60_000 });
    const first = subscriber();
    query.join(first);
    query.onFeedOpen();
    await reads.answer([{ id: 'a', v: 0 }]);
    return { query, first, reads };
  }

  it('replays the events after the token, READY, and then live events exactly once', async () => {
    const { query, first } = await loadedQuery();
    query.onChange(change({ id: 'a', v: 0 }, { id: 'a', v: 1 }));
    query.onChange(change({ id: 'a', v: 1 }, { id: 'a', v: 2 }));
    query.onChange(change(null, { id: 'b', v: 1 }));
    const seen = await drain(first);
    const token = seen[1]?.resumeToken as string; // after "CHANGE a:1"
    const resumed = subscriber();
    query.join(resumed, parseResumeToken(token));
    query.onChange(change({ id: 'b', v: 1 }, null));
    const got = await drain(resumed);
    expect(short(got)).toEqual(['CHANGE a:2', 'ADD b:1', 'READY', 'REMOVE b:1']);
    expect(got[2]?.resumeToken).toBe(got[1]?.resumeToken);
  });

  it('after a lost feed, older tokens RESET to the state (then the resync diff follows)', async () => {
    const { query, first, reads } = await loadedQuery();
    query.onChange(change({ id: 'a', v: 0 }, { id: 'a', v: 1 }));
    const token = (await drain(first)).at(-1)?.resumeToken as string;
    query.onFeedDown();
    query.onFeedOpen();
    const resumed = subscriber();
    query.join(resumed, parseResumeToken(token));
    await reads.answer([{ id: 'a', v: 5 }]);
    expect(short(await drain(resumed))).toEqual(['RESET', 'INITIAL a:1', 'READY', 'CHANGE a:5']);
  });
});

describe('LiveQuery', () => {
  it('reads again when a change during a read leaves a gap, and publishes only settled results', async () => {
    const reads = manualReads();
    const query = new LiveQuery('k', 'f', {
      primaryKey: 'id',
      limit: 2,
      compare: documentComparator([{ path: ['v'], descending: true }], 'id'),
      read: reads.read,
    }, log);
    const subscriber = new Subscriber<LiveResult>({ capacity: 100, throttleMs: 0, overflow: 'keep-latest', coalescing: liveCoalescing, onClose: () => undefined });
    query.join(subscriber);
    query.onFeedOpen();
    // The read will show a and b; meanwhile b drops to the bottom: only the database knows who replaces it.
    query.onChange(change({ id: 'b', v: 8 }, { id: 'b', v: 0 }));
    await reads.answer([{ id: 'a', v: 9 }, { id: 'b', v: 8 }]);
    expect(reads.inFlight).toBe(1);
    expect(await drain(subscriber)).toEqual([]);
    await reads.answer([{ id: 'a', v: 9 }, { id: 'c', v: 5 }]);
    expect((await drain(subscriber)).map((result) => result.documents.map((doc) => doc.id))).toEqual([['a', 'c']]);
  });
});
