import { Unauthenticated } from '../errors/domain.js';
import type { Payload } from '../subscriptions/events.js';

/** setTimeout's largest delay (about 24.8 days); later expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Wraps a subscription stream for one caller: every event goes through `shape` (field rules),
 * and at `expiresAt` (the credential's expiry, ms since the epoch) the stream yields an
 * UNAUTHENTICATED "token expired" error and ends, releasing the inner stream at once — also
 * while it waits for an event. `return()` releases the inner stream at once too. With neither
 * `shape` nor `expiresAt` there is nothing to guard: `inner` itself is returned.
 */
export function guardStream<T>(inner: AsyncIterableIterator<Payload<T>>, shape?: (event: T) => T, expiresAt?: number): AsyncIterableIterator<Payload<T>> {
  if (!shape && expiresAt === undefined) return inner;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let expired: Promise<'expired'> | undefined;
  if (expiresAt !== undefined) {
    expired = new Promise((resolve) => {
      const arm = () => {
        const wait = expiresAt - Date.now();
        timer = wait <= 0 ? setTimeout(() => resolve('expired'), 0) : setTimeout(wait > MAX_TIMER_MS ? arm : () => resolve('expired'), Math.min(wait, MAX_TIMER_MS));
      };
      arm();
    });
  }
  const finish = async (): Promise<IteratorReturnResult<undefined>> => {
    if (!done) {
      done = true;
      clearTimeout(timer);
      await inner.return?.();
    }
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<Payload<T>>> {
      if (done) return { done: true, value: undefined };
      const step = expired ? await Promise.race([inner.next(), expired]) : await inner.next();
      if (step === 'expired') {
        await finish();
        return { done: false, value: new Unauthenticated('token expired: the subscription ended; reconnect with a fresh token') };
      }
      if (step.done) {
        done = true;
        clearTimeout(timer);
        return step;
      }
      return { done: false, value: step.value instanceof Error || !shape ? step.value : shape(step.value) };
    },
    return: finish,
  };
}
