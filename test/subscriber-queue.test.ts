import { afterEach, describe, expect, it, vi } from 'vitest';
import { changeCoalescing } from '../src/subscriptions/coalescing.js';
import type { ChangeEvent } from '../src/subscriptions/events.js';
import { SubscriberQueue } from '../src/subscriptions/subscriber-queue.js';
import { Throttle } from '../src/subscriptions/throttle.js';

const event = (type: ChangeEvent['type'], id: string, old: number | null, next: number | null): ChangeEvent => ({
  type,
  id,
  old: old === null ? null : { id, v: old },
  new: next === null ? null : { id, v: next },
  resumeToken: null,
});

describe('SubscriberQueue', () => {
  it('hands items to a waiting consumer and ends a pending next() at once on return()', async () => {
    const onClose = vi.fn();
    const queue = new SubscriberQueue<number>({ capacity: 2, overflow: 'fail', overflowItem: () => -1, onClose });
    const pending = queue.next();
    queue.push(1);
    expect(await pending).toEqual({ done: false, value: 1 });
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(onClose).toHaveBeenCalledTimes(1);
    queue.push(2);
    expect(await queue.next()).toEqual({ done: true, value: undefined });
  });

  it('take(): a queued item now, else the consumer is called synchronously with the next push, then with the end', () => {
    const queue = new SubscriberQueue<number>({ capacity: 5, overflow: 'fail', overflowItem: () => -1, onClose: () => undefined });
    const steps: IteratorResult<number>[] = [];
    const consumer = { step: (result: IteratorResult<number>) => void steps.push(result) };
    queue.push(1);
    expect(queue.take(consumer)).toEqual({ done: false, value: 1 });
    expect(queue.take(consumer)).toBeUndefined();
    queue.push(2);
    // Handed over during push itself, and only once: the consumer must take again for the next one.
    expect(steps).toEqual([{ done: false, value: 2 }]);
    queue.push(3);
    expect(steps).toHaveLength(1);
    expect(queue.take(consumer)).toEqual({ done: false, value: 3 });
    expect(queue.take(consumer)).toBeUndefined();
    void queue.finish();
    expect(steps).toEqual([{ done: false, value: 2 }, { done: true, value: undefined }]);
    expect(queue.take(consumer)).toEqual({ done: true, value: undefined });
  });

  it('traces a delivery batch from the first item taken until the consumer finds the queue empty', async () => {
    const batches: (number | 'open')[] = [];
    const traceDelivery = () => {
      const at = batches.push('open') - 1;
      return (events: number) => void (batches[at] = events);
    };
    const queue = new SubscriberQueue<number>({ capacity: 10, overflow: 'fail', overflowItem: () => -1, onClose: () => undefined, traceDelivery });
    queue.push(1);
    queue.push(2);
    queue.push(3);
    await queue.next();
    await queue.next();
    await queue.next();
    expect(batches).toEqual(['open']);
    const waiting = queue.next(); // back to an empty queue: the batch of three was delivered
    expect(batches).toEqual([3]);
    queue.push(4); // handed to the waiting consumer: a new batch
    expect(await waiting).toEqual({ done: false, value: 4 });
    expect(batches).toEqual([3, 'open']);
    await queue.return();
    expect(batches).toEqual([3, 1]);
  });

  it("on overflow with 'fail' drops what is queued, yields the overflow item, then ends", async () => {
    const onClose = vi.fn();
    const queue = new SubscriberQueue<number>({ capacity: 2, overflow: 'fail', overflowItem: () => -1, onClose });
    [1, 2, 3].forEach((n) => queue.push(n));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(await queue.next()).toEqual({ done: false, value: -1 });
    expect((await queue.next()).done).toBe(true);
  });

  it("on overflow with 'keep-latest' keeps only the newest item", async () => {
    const queue = new SubscriberQueue<number>({ capacity: 2, overflow: 'keep-latest', overflowItem: () => -1, onClose: () => undefined });
    [1, 2, 3].forEach((n) => queue.push(n));
    expect(queue.size).toBe(1);
    expect(await queue.next()).toEqual({ done: false, value: 3 });
  });

  it('does not count an initial snapshot against the capacity', async () => {
    const queue = new SubscriberQueue<number>({ capacity: 1, overflow: 'fail', overflowItem: () => -1, onClose: () => undefined });
    queue.pushUncounted([1, 2, 3]);
    queue.push(4);
    const items = [];
    for (let i = 0; i < 4; i++) items.push((await queue.next()).value);
    expect(items).toEqual([1, 2, 3, 4]);
  });

  it('finish() delivers what is queued, then done, and resolves once the consumer saw the end', async () => {
    const queue = new SubscriberQueue<number>({ capacity: 5, overflow: 'fail', overflowItem: () => -1, onClose: () => undefined });
    queue.push(1);
    let seen = false;
    const finished = queue.finish(2).then(() => (seen = true));
    expect(await queue.next()).toEqual({ done: false, value: 1 });
    expect(await queue.next()).toEqual({ done: false, value: 2 });
    expect(seen).toBe(false);
    expect((await queue.next()).done).toBe(true);
    await finished;
    expect(seen).toBe(true);
  });
});

describe('Throttle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first event at once and at most one squashed event per document per window', () => {
    vi.useFakeTimers();
    const sent: ChangeEvent[] = [];
    const throttle = new Throttle(100, changeCoalescing, (item) => sent.push(item));
    throttle.push(event('CHANGE', 'a', 0, 1));
    expect(sent).toHaveLength(1);
    throttle.push(event('CHANGE', 'a', 1, 2));
    throttle.push(event('CHANGE', 'a', 2, 3));
    throttle.push(event('ADD', 'b', null, 1));
    throttle.push(event('REMOVE', 'b', 1, null));
    throttle.push(event('CHANGE', 'c', 5, 6));
    throttle.push(event('CHANGE', 'c', 6, 5));
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sent.slice(1)).toEqual([event('CHANGE', 'a', 1, 3)]);
    throttle.push(event('REMOVE', 'a', 3, null));
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(sent.slice(2)).toEqual([event('REMOVE', 'a', 3, null)]);
    vi.advanceTimersByTime(100);
    throttle.push(event('ADD', 'd', null, 1));
    expect(sent).toHaveLength(4);
    throttle.stop();
  });

  it('sends a window\'s squashed events in the order of their latest parts, each with the latest part\'s resume token', () => {
    vi.useFakeTimers();
    const sent: ChangeEvent[] = [];
    const throttle = new Throttle(100, changeCoalescing, (item) => sent.push(item));
    const at = (item: ChangeEvent, resumeToken: string) => ({ ...item, resumeToken });
    throttle.push(at(event('CHANGE', 'x', 0, 1), 't1'));
    throttle.push(at(event('CHANGE', 'a', 0, 1), 't2'));
    throttle.push(at(event('CHANGE', 'b', 0, 1), 't3'));
    throttle.push(at(event('CHANGE', 'a', 1, 2), 't4'));
    vi.advanceTimersByTime(100);
    // A client cut off after b holds t3, and a's last part (t4) is after it: a resume replays it.
    expect(sent.slice(1).map((item) => `${item.id}@${item.resumeToken}`)).toEqual(['b@t3', 'a@t4']);
    throttle.stop();
  });

  it('with 0 passes everything through', () => {
    const sent: ChangeEvent[] = [];
    const throttle = new Throttle(0, changeCoalescing, (item) => sent.push(item));
    throttle.push(event('CHANGE', 'a', 0, 1));
    throttle.push(event('CHANGE', 'a', 1, 2));
    expect(sent).toHaveLength(2);
  });
});
