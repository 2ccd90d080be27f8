import { createSourceEventStream, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import { SharedEventStream } from './shared-event-stream.js';
import { Cohorts, SHARED_SINK, type SharedResultSink } from './shared-results.js';

export { serializedBytes, serializedResult, SHARED_SINK, type SharedResultSink } from './shared-results.js';

export interface SharedSubscriptionsOptions {
  /** Called for every event execution (one per event per cohort when sharing works; metrics and tests count them). */
  onExecuted?: () => void;
}

/**
 * Shares the execution of subscription events between identical subscriptions — same schema,
 * document, operation name, variables and caller (role, user id, claims: everything permissions,
 * row rules and hidden fields are computed from) — the way Hasura groups live queries into
 * cohorts, but on the push feed: each subscriber keeps its own source stream from its
 * `subscribe` resolver (its own bounded queue, throttle, resume position, expiry), and when it
 * pulls an event that another member of its cohort already executed, it gets that very result
 * object (and `serializedResult` its JSON) instead of executing and serializing again.
 *
 * Why per event object: the hub hands every subscriber of a query the same frozen event, so an
 * event's identity says "same input"; anything made for one subscriber alone (its INITIAL
 * snapshot after a resume, a throttle's merged event, an overflow error) is another object and
 * is simply executed for it, as before. Results with errors are never shared.
 *
 * Works for every subscription field: it replaces only the per-event mapping that graphql-js's
 * `subscribe` does (`execute` with the event as root value). A transport that offers a
 * SharedResultSink (graphql-ws: its socket; SSE: its response body) takes shared results
 * straight from here; every other result, and every result of a transport without a sink, still
 * goes through the other plugins' onSubscribeResult / onNext hooks as before.
 *
 * Memory: a shared result is kept (in a WeakMap on its event) until every member of the cohort
 * at the time took it, or until the event itself is collected (a member that left or whose
 * throttle merged the event never takes it; the replay log bounds how long events live).
 */
export function useSharedSubscriptions(options: SharedSubscriptionsOptions = {}): Plugin<Context> {
  const cohorts = new Cohorts(options.onExecuted ?? (() => undefined));
  // One function for every operation: envelop keeps the one it is given for the operation's life.
  const subscribeShared = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterator(source)) return source;
    const sink = (args.rootValue as { [SHARED_SINK]?: SharedResultSink } | undefined)?.[SHARED_SINK];
    return new SharedEventStream(source, args, cohorts, cohorts.join(args), sink);
  };
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribeShared);
    },
  };
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
