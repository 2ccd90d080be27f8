import type { DeliveryTracer } from './subscriber-queue.js';

/** What the hub tells the gateway's metrics and tracing; every hook is optional (absent: not observed). */
export interface HubHooks {
  /** Called when a lost feed is reopened (metrics). */
  onFeedReopened?: () => void;
  /** Called when a subscription starts with a resume token: its missed events were replayed, or it was RESET (metrics). */
  onResume?: (outcome: 'replayed' | 'reset') => void;
  /** Called for every event handed to a subscriber's queue, with the events then waiting in it (metrics). */
  onDelivered?: (count: number, queueDepth: number) => void;
  /** Called once per table feed ("db.table"); the function it returns is called for every change the feed brings (metrics). */
  onFeedOpened?: (table: string) => () => void;
  /** Called as a subscriber joins, in its subscribe's trace context: traces its delivery batches. Absent: tracing off. */
  traceDelivery?: () => DeliveryTracer;
}
