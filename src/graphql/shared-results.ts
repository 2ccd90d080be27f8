import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { canonicalJson as canonical } from '../subscriptions/arguments.js';
import type { Context } from './context.js';

// The results identical subscriptions share (src/graphql/shared-execution.ts): their cohorts, one
// execution per event per cohort, and the JSON and bytes computed once per shared result.

/** Where a shared result keeps its JSON text (see `serializedResult`). */
export const SERIALIZED = Symbol('rethinkql.serializedResult');

/** Where a shared result keeps its JSON as UTF-8 bytes (see `serializedBytes`). */
const BYTES = Symbol('rethinkql.serializedBytes');

/** A result executed once for a cohort; its JSON (and bytes) are computed at most once, on first use. */
export interface SharedResult extends ExecutionResult {
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
 * socket, src/graphql/shared-frames.ts; SSE: its response body, src/graphql/sse-events.ts), found
 * on the operation's root value under `SHARED_SINK`.
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
export interface Cohort {
  readonly key: string;
  members: number;
}

/** The cohorts of one plugin instance, and the results their members share. */
export class Cohorts {
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
export function executeEvent(args: ExecutionArgs, event: unknown, onExecuted: () => void): SharedResult | Promise<SharedResult> {
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
