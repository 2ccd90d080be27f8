import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { SubscriberQueue, type StepConsumer } from '../subscriptions/subscriber-queue.js';
import { executeEvent, SERIALIZED, type Cohort, type Cohorts, type SharedResult, type SharedResultSink } from './shared-results.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

type Settle = (result: IteratorResult<ExecutionResult>) => void;

/**
 * One subscriber's results: `source`'s events executed (or taken from its cohort). With a
 * `sink`, shared results go to it as they come (waiting when it asks to) and only the others are
 * yielded, in order; the cohort is left once, when the stream ends or is left.
 *
 * A hub subscriber's queue (a SubscriberQueue: the source unless a guard wraps it) is taken
 * synchronously (`take`): while the sink keeps up, each event is executed (or taken from the
 * cohort) and written to the socket as the hub pushes it, with no promise, microtask or closure
 * per event and subscriber; any other source is pulled with `next()`. The one pending `next()`
 * of the operation is settled only by a result the sink does not take, the end, or an error.
 *
 * A class rather than an async generator or an object of closures: an idle subscription holds
 * one pending `next()` for as long as it is open, and a suspended async function (its frame and
 * registers) or a set of closures per stream cost more of that memory.
 */
export class SharedEventStream implements AsyncIterableIterator<ExecutionResult>, StepConsumer<unknown> {
  private finished = false;
  /** Settles the pending `next()` (undefined: none pending). */
  private resolve?: Settle;
  private reject?: (error: unknown) => void;
  /** A step is being handled asynchronously (its execution, or the sink asked to wait): the next pull waits for it. */
  private busy = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly cohorts: Cohorts,
    private readonly cohort: Cohort | undefined,
    private readonly sink: SharedResultSink | undefined,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.pull();
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The queue's next step, handed over synchronously (see SubscriberQueue.take); pulls on while the sink takes the results. */
  step(step: IteratorResult<unknown>): void {
    if (this.handle(step)) this.pull();
  }

  /** Takes steps from the source while a `next()` is pending and nothing is in flight. */
  private pull(): void {
    const { source } = this;
    if (!(source instanceof SubscriberQueue)) {
      if (!this.resolve || this.busy) return;
      this.busy = true;
      source.next().then(
        (step) => {
          this.busy = false;
          if (this.handle(step)) this.pull();
        },
        (error: unknown) => this.fail(error),
      );
      return;
    }
    while (this.resolve && !this.busy) {
      const step = (source as SubscriberQueue<unknown>).take(this);
      if (!step || !this.handle(step)) return;
    }
  }

  /** Handles one step; true when the next can be pulled at once (the sink took this one). */
  private handle(step: IteratorResult<unknown>): boolean {
    try {
      if (step.done || this.finished) {
        this.finish();
        this.settle(DONE);
        return false;
      }
      const { args, cohort } = this;
      const mapped = cohort ? this.cohorts.resultFor(args, cohort, step.value) : executeEvent(args, step.value, this.cohorts.onExecuted);
      if (!(mapped instanceof Promise)) return this.take(mapped);
      this.busy = true;
      mapped.then(
        (result) => {
          this.busy = false;
          if (this.take(result)) this.pull();
        },
        (error: unknown) => this.fail(error),
      );
      return false;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** Sends `result` to the sink (true: pull on, unless it asked to wait), or yields it (false). */
  private take(result: SharedResult): boolean {
    try {
      if (!this.sink || !(SERIALIZED in result)) {
        this.settle({ done: false, value: result });
        return false;
      }
      const sent = this.sink.write(result);
      if (!sent) return true;
      this.busy = true;
      sent.then(
        () => {
          this.busy = false;
          this.pull();
        },
        (error: unknown) => this.fail(error),
      );
      return false;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private settle(result: IteratorResult<ExecutionResult>): void {
    const resolve = this.resolve;
    this.resolve = this.reject = undefined;
    resolve?.(result);
  }

  private fail(error: unknown): void {
    this.busy = false;
    const reject = this.reject;
    this.resolve = this.reject = undefined;
    reject?.(error);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.cohort) this.cohorts.leave(this.cohort);
  }
}
