import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { codeOf } from '../../errors/graphql.js';
import type { Metrics } from '../../observability/metrics.js';

/**
 * Operation names are chosen by clients: the first MAX_OPERATION_NAMES distinct names get a label
 * of their own, later ones count as `other` (with trusted documents on, only the manifests' and
 * bypass roles' names can occur), each cut to MAX_OPERATION_NAME_LENGTH characters.
 */
const MAX_OPERATION_NAMES = 200;
const MAX_OPERATION_NAME_LENGTH = 64;

/** Set on the initial context of a fast-path attempt (src/fast-query.ts). */
export const FAST_PATH_ATTEMPT = 'rethinkqlFastPathAttempt';

function isFastPathAttempt(context: unknown): boolean {
  return typeof context === 'object' && context !== null && (context as Record<string, unknown>)[FAST_PATH_ATTEMPT] === true;
}

/**
 * A yoga/envelop plugin that counts and times every operation (HTTP, SSE and graphql-ws alike,
 * since all run through yoga's envelop) and counts errors by code.
 */
export function useMetrics(metrics: Metrics): Plugin {
  const names = new Set<string>();
  const labelsOf = (args: ExecutionArgs) => {
    const operation = getOperationAST(args.document, args.operationName);
    const given = operation?.name?.value;
    let name = given === undefined ? 'anonymous' : given.slice(0, MAX_OPERATION_NAME_LENGTH);
    if (given !== undefined && !names.has(name)) {
      if (names.size >= MAX_OPERATION_NAMES) name = 'other';
      else names.add(name);
    }
    return { type: operation?.operation ?? 'unknown', operation: name };
  };
  const countErrors = (result: unknown) => {
    const errors = (result as { errors?: readonly GraphQLError[] } | undefined)?.errors;
    for (const error of errors ?? []) metrics.errors.inc({ code: codeOf(error) });
  };
  /**
   * Counts an operation and starts its timer; the returned function stops it and counts errors.
   * A fast-path attempt (src/fast-query.ts) that ended in a request error (no `data`) is not
   * counted: yoga runs the request again and counts it then.
   */
  const startOperation = (args: ExecutionArgs) => {
    const labels = labelsOf(args);
    const probe = isFastPathAttempt(args.contextValue);
    if (!probe) metrics.operations.inc(labels);
    const started = performance.now();
    return (result: unknown) => {
      const data = (result as { data?: unknown } | undefined)?.data;
      if (probe && data === undefined) return;
      if (probe) metrics.operations.inc(labels);
      metrics.operationSeconds.observe(labels, (performance.now() - started) / 1000);
      countErrors(result);
    };
  };
  /** The timers of subscriptions being started, by their arguments (the same object in both hooks). */
  const starting = new WeakMap<object, (result: unknown) => void>();
  const subscribeHooks = {
    onSubscribeResult: ({ args, result }: { args: object; result: unknown }) => {
      starting.get(args)?.(result);
      starting.delete(args);
    },
  };
  return {
    // Parse and validation errors count under their own code when they have one (a refused
    // limit is LIMIT_EXCEEDED), else as GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED; not
    // in a fast-path attempt, which hands such requests to yoga (which counts them).
    onParse: ({ context }) => ({ result }) => {
      if (result instanceof Error && !isFastPathAttempt(context)) metrics.errors.inc({ code: codeOf(result, 'GRAPHQL_PARSE_FAILED') });
    },
    onValidate: ({ context }) => ({ valid, result }) => {
      if (valid || isFastPathAttempt(context)) return;
      for (const error of result) metrics.errors.inc({ code: codeOf(error, 'GRAPHQL_VALIDATION_FAILED') });
    },
    onExecute: ({ args }) => {
      const finish = startOperation(args);
      return { onExecuteDone: ({ result }) => finish(result) };
    },
    onSubscribe: ({ args }) => {
      // One hook object for every operation, the timer kept aside until the subscription has
      // started: envelop keeps what onSubscribe returns for as long as the subscription is open.
      starting.set(args, startOperation(args));
      return subscribeHooks;
    },
  };
}
