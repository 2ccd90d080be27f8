import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { canonicalJson as canonical } from '../subscriptions/arguments.js';
import type { Context } from './context.js';

/** Where a shared result keeps its JSON text (see `serializedResult`). */
const SERIALIZED = Symbol('rethinkql.serializedResult');

/** Where a shared result keeps its JSON as UTF-8 bytes (see `serializedBytes`). */
const BYTES = Symbol('rethinkql.serializedBytes');

/** A result executed once for a cohort; its JSON (and bytes) are computed at most once, on first use. */
interface SharedResult extends ExecutionResult {
  [SERIALIZED]?: string;
  [BYTES]?: Buffer;
}

/**
 * The JSON text of a subscription result that was executed once for a cohort of identical
 * subscriptions (computed on first call, then the same string for every subscriber), or
 * undefined for any other result (the transport serializes it as usual). A transport frames
 * these bytes per socket: graphql-ws `{"id":…,"type":"next","payload":<bytes>}`, SSE `data: <bytes>`.
 */
export function serializedResult(result: ExecutionResult): string | undefined {
  const shared = result as SharedResult;
  if (!(SERIALIZED in shared)) return undefined;
  return (shared[SERIALIZED] ??= JSON.stringify({ data: result.data, ...(result.extensions ? { extensions: result.extensions } : {}) }));
}

/** `serializedResult` as UTF-8 bytes, encoded once for every subscriber (undefined for a result that is not shared). */
export function serializedBytes(result: ExecutionResult): Buffer | undefined {
  const shared = result as SharedResult;
  if (shared[BYTES]) return shared[BYTES];
  const json = serializedResult(result);
  return json === undefined ? undefined : (shared[BYTES] = Buffer.from(json));
}

/**
 * Where a transport takes shared results straight from a subscriber's stream (graphql-ws: its
 * socket, src/graphql/shared-frames.ts), found on the operation's root value under `SHARED_SINK`.
 * Shared results written here never travel through the per-result plugin hooks nor the
 * transport's own serialization (they have no errors to mask; their resume token is already in
 * their extensions); every other result still does.
 */
export interface SharedResultSink {
  /**
   * Sends one shared result (`serializedResult` / `serializedBytes` give its JSON); returns a
   * promise when the next result must wait for it (backpressure).
   */
  write(result: ExecutionResult): Promise<void> | undefined;
}

/** The root-value key of an operation's SharedResultSink. */
export const SHARED_SINK = Symbol('rethinkql.sharedResultSink');

/** One execution of one event for one cohort, and how many of the cohort's members have yet to take it. */
interface Entry {
  readonly result: SharedResult | Promise<SharedResult>;
  pending: number;
}

/** Subscribers whose results are the same function of each event: same schema, document, operation, variables and view. */
interface Cohort {
  readonly key: string;
  members: number;
}

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
 * SharedResultSink (graphql-ws) takes shared results straight from here; every other result,
 * and every result of a transport without a sink (SSE), still goes through the other plugins'
 * onSubscribeResult / onNext hooks as before.
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

/** The cohorts of one plugin instance, and the results their members share. */
class Cohorts {
  private readonly cohorts = new Map<string, Cohort>();
  private readonly results = new WeakMap<object, Map<Cohort, Entry>>();
  private readonly schemaIds = new WeakMap<GraphQLSchema, number>();
  private schemas = 0;

  constructor(readonly onExecuted: () => void) {}

  /** The cohort `args` joins (its member count goes up), or undefined for a document without source text (never shared). */
  join(args: ExecutionArgs): Cohort | undefined {
    const source = args.document.loc?.source.body;
    if (source === undefined) return undefined;
    let schemaId = this.schemaIds.get(args.schema);
    if (schemaId === undefined) this.schemaIds.set(args.schema, (schemaId = ++this.schemas));
    const { role, userId, claims } = (args.contextValue as Context).identity;
    const key = JSON.stringify([schemaId, args.operationName ?? null, source, canonical(args.variableValues ?? {}), role, userId, canonical(claims)]);
    let cohort = this.cohorts.get(key);
    if (!cohort) this.cohorts.set(key, (cohort = { key, members: 0 }));
    cohort.members++;
    return cohort;
  }

  leave(cohort: Cohort): void {
    if (--cohort.members === 0) this.cohorts.delete(cohort.key);
  }

  /** Executes `event` for `args` (one subscriber of `cohort`), or takes the cohort's execution of it. */
  resultFor(args: ExecutionArgs, cohort: Cohort, event: unknown): SharedResult | Promise<SharedResult> {
    if (typeof event !== 'object' || event === null) return executeEvent(args, event, this.onExecuted);
    let perCohort = this.results.get(event);
    const entry = perCohort?.get(cohort);
    if (entry) {
      if (--entry.pending <= 0) perCohort?.delete(cohort);
      return entry.result;
    }
    const result = executeEvent(args, event, this.onExecuted);
    if (cohort.members > 1) {
      if (!perCohort) this.results.set(event, (perCohort = new Map()));
      perCohort.set(cohort, { result, pending: cohort.members - 1 });
    }
    return result;
  }
}

/**
 * What graphql-js's `subscribe` does with each event: `execute` with the event as root value.
 * The resume token the field resolver noted (src/graphql/plugins/resume-tokens.ts) goes into the
 * result's extensions here, so that every member of the cohort gets it, not only the one whose
 * context ran the resolver. A result without errors is marked shareable.
 */
function executeEvent(args: ExecutionArgs, event: unknown, onExecuted: () => void): SharedResult | Promise<SharedResult> {
  onExecuted();
  const finish = (result: ExecutionResult): SharedResult => {
    const slot = (args.contextValue as Context).eventToken;
    const token = slot.current;
    slot.current = undefined;
    const shared: SharedResult = typeof token === 'string' ? { ...result, extensions: { ...result.extensions, resumeToken: token } } : result;
    if (!result.errors) shared[SERIALIZED] = undefined;
    return shared;
  };
  const result = execute({ ...args, rootValue: event });
  return result instanceof Promise ? result.then(finish) : finish(result);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

type Settle = (result: IteratorResult<ExecutionResult>) => void;

/**
 * One subscriber's results: `source`'s events executed (or taken from its cohort). With a
 * `sink`, shared results go to it as they come (waiting when it asks to) and only the others are
 * yielded, in order; the cohort is left once, when the stream ends or is left.
 *
 * A class with promise callbacks rather than an async generator or an object of closures: an
 * idle subscription holds one pending `next()` for as long as it is open, and a suspended async
 * function (its frame and registers) or a set of closures per stream cost more of that memory.
 * Each pull settles the one promise `next()` returned, so shared results sent straight to the
 * sink never build a chain of promises.
 */
class SharedEventStream implements AsyncIterableIterator<ExecutionResult> {
  private finished = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly cohorts: Cohorts,
    private readonly cohort: Cohort | undefined,
    private readonly sink: SharedResultSink | undefined,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return new Promise((resolve, reject) => this.pull(resolve, reject));
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

  private pull(resolve: Settle, reject: (error: unknown) => void): void {
    this.source.next().then((step) => {
      try {
        if (step.done || this.finished) {
          this.finish();
          return resolve(DONE);
        }
        const { args, cohort } = this;
        const mapped = cohort ? this.cohorts.resultFor(args, cohort, step.value) : executeEvent(args, step.value, this.cohorts.onExecuted);
        if (mapped instanceof Promise) mapped.then((result) => this.take(result, resolve, reject), reject);
        else this.take(mapped, resolve, reject);
      } catch (error) {
        reject(error);
      }
    }, reject);
  }

  /** Yields `result`, or sends it to the sink and pulls the next one. */
  private take(result: SharedResult, resolve: Settle, reject: (error: unknown) => void): void {
    try {
      if (!this.sink || !(SERIALIZED in result)) return resolve({ done: false, value: result });
      const sent = this.sink.write(result);
      if (sent) sent.then(() => this.pull(resolve, reject), reject);
      else this.pull(resolve, reject);
    } catch (error) {
      reject(error);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.cohort) this.cohorts.leave(this.cohort);
  }
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
