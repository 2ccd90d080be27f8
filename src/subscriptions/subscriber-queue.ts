/**
 * Starts the trace span of one delivery batch (tracing on); the returned function ends it with
 * the number of events the batch held.
 */
export type DeliveryTracer = () => (events: number) => void;

/** What happens when a queue is full: keep only the newest item, or end with an error item. */
export type OverflowPolicy = 'keep-latest' | 'fail';

export interface QueueOptions<T> {
  /** Items that may wait for the consumer before the overflow policy applies. */
  capacity: number;
  overflow: OverflowPolicy;
  /** The last item of a queue that overflows with policy 'fail' (an error event). */
  overflowItem: () => T;
  /** Called once when the queue stops taking items: consumer left, overflow, or finish(). */
  onClose: () => void;
  /**
   * Traces delivery batches: a batch starts when the consumer takes an item after the queue was
   * idle and ends when it comes back to an empty queue (or the stream ends). Absent: tracing off.
   */
  traceDelivery?: DeliveryTracer;
}

/** Takes a queue's next step (an item, or the end) as soon as there is one; see `SubscriberQueue.take`. */
export interface StepConsumer<T> {
  step(result: IteratorResult<T>): void;
}

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A bounded queue between the hub (producer) and one subscriber's transport (the consumer,
 * through the async-iterator protocol graphql-js, graphql-ws and yoga's SSE use).
 *
 * Why not an async generator: its `return()` waits for the pending `await`, so a feed would
 * stay open until its next change after the client left. Here `return()` ends the stream at
 * once, answers a pending `next()` with done, and calls `onClose` so the hub frees the feed.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private limit: number;
  /** The consumer waiting for the next step: a pending `next()`'s, or one of `take`. */
  private waiting?: StepConsumer<T>;
  /** No more items will be added; the stream ends once `items` are drained. */
  private ended = false;
  private closed = false;
  /** The consumer has seen the end or left. */
  private gone = false;
  /** Resolves `finish()`'s promise; made only when someone waits (most streams end by the consumer leaving). */
  private consumed?: () => void;
  private whenConsumed?: Promise<void>;
  /** Ends the open delivery batch's span (tracing on), and the events it has held so far. */
  private batchEnd?: (events: number) => void;
  private batchEvents = 0;

  constructor(private readonly options: QueueOptions<T>) {
    this.limit = options.capacity;
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.items.length;
  }

  /** Queues an item (ignored once the queue has ended). */
  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) return this.handOver(item);
    if (this.items.length < this.limit) {
      this.items.push(item);
      return;
    }
    if (this.options.overflow === 'keep-latest') {
      this.items = [item];
      return;
    }
    this.items = [this.options.overflowItem()];
    this.end();
  }

  /** Queues items that do not count against the capacity (an initial snapshot). */
  pushUncounted(items: readonly T[]): void {
    if (this.ended) return;
    this.limit += items.length;
    for (const item of items) this.push(item);
  }

  /**
   * Ends the stream after the queued items (and `last`, when given). Resolves once the consumer
   * has seen the end or left.
   */
  finish(last?: T): Promise<void> {
    if (!this.ended) {
      if (last !== undefined) {
        if (this.waiting) this.handOver(last);
        else this.items.push(last);
      }
      this.end();
    }
    if (this.gone) return Promise.resolve();
    return (this.whenConsumed ??= new Promise<void>((resolve) => {
      this.consumed = resolve;
    }));
  }

  next(): Promise<IteratorResult<T>> {
    return new Promise((resolve) => {
      const now = this.take({ step: resolve });
      if (now) resolve(now);
    });
  }

  /**
   * The next step now (an item, or the end), or undefined when there is none yet: `consumer.step`
   * is then called with it as soon as it comes, synchronously, from `push` or `finish`/`return`.
   * What `next()` does, without a promise per item: a consumer that can take each item at once
   * (shared results written straight to a socket) takes them as the hub pushes them.
   */
  take(consumer: StepConsumer<T>): IteratorResult<T> | undefined {
    const item = this.items.shift();
    // A drained array keeps the room it grew to (~150 bytes from the first push on); an idle
    // subscription (most of them, most of the time) keeps an empty one with none instead.
    if (this.items.length === 0 && item !== undefined) this.items = [];
    if (item !== undefined) {
      if (this.options.traceDelivery) this.taken();
      return { done: false, value: item };
    }
    // The consumer is back and nothing waits: the batch it took has been delivered.
    if (this.batchEnd) this.endBatch();
    if (this.ended) {
      this.leave();
      return END;
    }
    this.waiting = consumer;
    return undefined;
  }

  /** The consumer leaves: the stream ends now, pending items are dropped. */
  return(): Promise<IteratorResult<T>> {
    if (this.batchEnd) this.endBatch();
    this.items = [];
    this.end();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.step(END);
    this.leave();
    return Promise.resolve(END);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private handOver(item: T): void {
    if (this.options.traceDelivery) this.taken();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.step({ done: false, value: item });
  }

  /** An item went to the consumer: it opens a delivery batch, or joins the open one. */
  private taken(): void {
    this.batchEnd ??= this.options.traceDelivery?.();
    this.batchEvents++;
  }

  private endBatch(): void {
    this.batchEnd?.(this.batchEvents);
    this.batchEnd = undefined;
    this.batchEvents = 0;
  }

  private leave(): void {
    this.gone = true;
    this.consumed?.();
  }

  private end(): void {
    this.ended = true;
    if (this.items.length === 0 && this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      this.leave();
      waiting.step(END);
    }
    if (!this.closed) {
      this.closed = true;
      this.options.onClose();
    }
  }
}
