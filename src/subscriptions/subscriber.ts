import { SubscriberTooSlow } from '../errors/domain.js';
import type { Payload } from './events.js';
import { SubscriberQueue, type DeliveryTracer, type OverflowPolicy, type QueueOptions } from './subscriber-queue.js';
import { Throttle, type Coalescing } from './throttle.js';

export interface SubscriberOptions<T> {
  /** Events that may wait for a slow client before `overflow` applies. */
  capacity: number;
  /** At most one event per document (per result for `live`) per this many ms; 0 = no throttle. */
  throttleMs: number;
  /** 'keep-latest' for `live` (skip to the newest result), 'fail' for `changes` (end with SUBSCRIBER_TOO_SLOW). */
  overflow: OverflowPolicy;
  coalescing: Coalescing<T>;
  /** `changes` only: send the matching documents as INITIAL events before READY. */
  includeInitial?: boolean;
  /** The subscriber asked to resume and its token cannot be honoured: start with RESET and the current state. */
  reset?: boolean;
  /** Called once when the subscriber is gone: it left, overflowed, failed or was completed. */
  onClose: () => void;
  /** Called with the number of events handed to the queue and the number then waiting in it (metrics). */
  onDelivered?: (count: number, queueDepth: number) => void;
  /** Traces delivery batches (SubscriberQueue); absent: tracing off. */
  traceDelivery?: DeliveryTracer;
}

/**
 * One client's subscription as the hub sees it: a throttle in front of a bounded queue whose
 * consumer is the transport. `stream` is what the GraphQL `subscribe` resolver returns.
 */
export class Subscriber<T> {
  readonly stream: SubscriberQueue<Payload<T>>;
  readonly includeInitial: boolean;
  /** Starts with RESET, then the current state (see SubscriberOptions.reset); set by the query that cannot resume it. */
  reset: boolean;
  /** Absent without a throttle window (most subscribers): events go straight to the queue. */
  private readonly throttle?: Throttle<T>;
  private readonly onDelivered: (count: number, queueDepth: number) => void;

  constructor(options: SubscriberOptions<T>) {
    this.includeInitial = options.includeInitial ?? false;
    this.reset = options.reset ?? false;
    this.onDelivered = options.onDelivered ?? noDelivery;
    if (options.throttleMs > 0) this.throttle = new Throttle(options.throttleMs, options.coalescing, (item) => this.enqueue(item));
    this.stream = new SubscriberQueue<Payload<T>>(new QueueHooks<T>(options, this.throttle));
  }

  /** An event computed once for the whole query; it goes through this subscriber's throttle. */
  deliver(item: T): void {
    if (this.throttle) this.throttle.push(item);
    else this.enqueue(item);
  }

  /** Events sent at once and not counted against the queue capacity (the initial snapshot, replayed events and READY). */
  deliverUncounted(items: readonly T[]): void {
    this.stream.pushUncounted(items);
    this.onDelivered(items.length, this.stream.size);
  }

  /** Ends the stream with an error event (e.g. the table is gone). */
  fail(error: Error): Promise<void> {
    this.throttle?.stop();
    return this.stream.finish(error);
  }

  /** Ends the stream after what is queued (shutdown); resolves once the client has seen the end. */
  complete(): Promise<void> {
    this.throttle?.flush();
    return this.stream.finish();
  }

  private enqueue(item: T): void {
    this.stream.push(item);
    this.onDelivered(1, this.stream.size);
  }
}

const noDelivery = () => undefined;

/**
 * A subscriber's queue options. A class rather than an object of closures: an idle subscription
 * keeps them as long as it is open, and they keep only what they need of the caller's options
 * (often a spread object with a hidden class of its own).
 */
class QueueHooks<T> implements QueueOptions<Payload<T>> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly traceDelivery?: DeliveryTracer;
  private readonly closed: () => void;

  constructor(
    options: SubscriberOptions<T>,
    private readonly throttle: Throttle<T> | undefined,
  ) {
    this.capacity = options.capacity;
    this.overflow = options.overflow;
    this.traceDelivery = options.traceDelivery;
    this.closed = options.onClose;
  }

  overflowItem(): Payload<T> {
    return new SubscriberTooSlow(
      `this subscription fell more than ${this.capacity} events behind and was ended; ` +
        'resubscribe with resumeFrom: the last resumeToken you received (or with includeInitial: true to start over)',
      { queueSize: this.capacity },
    );
  }

  onClose(): void {
    this.throttle?.stop();
    this.closed();
  }
}
