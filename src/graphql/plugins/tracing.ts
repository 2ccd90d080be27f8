import type { Span } from '@opentelemetry/api';
import { getOperationAST, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { failSpan, type Tracing } from '../../observability/tracing.js';

/** Attributes naming an operation (never its variables). */
function operationAttributes(args: ExecutionArgs): Record<string, string> {
  const operation = getOperationAST(args.document, args.operationName);
  return { 'graphql.operation.type': operation?.operation ?? 'unknown', 'graphql.operation.name': operation?.name?.value ?? 'anonymous' };
}

/** An execution result's errors, counted on the span; any error marks it failed. */
function noteResult(span: Span, result: unknown): void {
  const errors = (result as { errors?: readonly unknown[] } | undefined)?.errors;
  if (errors?.length) {
    span.setAttribute('graphql.errors', errors.length);
    failSpan(span, errors[0]);
  }
}

/**
 * The tracing envelop plugin (installed only with tracing on): `graphql.parse`,
 * `graphql.validate` and `graphql.execute` / `graphql.subscribe` spans under the operation's
 * span (HTTP, SSE, graphql-ws, the fast path alike: all run through yoga's envelop). Execution
 * runs with its span active, so DataLoader batches and database round trips become its children,
 * and a subscription's delivery batches keep it as their parent.
 */
export function useTracing(tracing: Tracing): Plugin {
  return {
    onParse: () => {
      const span = tracing.startSpan('graphql.parse');
      return ({ result }) => {
        if (result instanceof Error) failSpan(span, result);
        span.end();
      };
    },
    onValidate: () => {
      const span = tracing.startSpan('graphql.validate');
      return ({ valid, result }) => {
        if (!valid) failSpan(span, result[0]);
        span.end();
      };
    },
    onExecute: ({ args, executeFn, setExecuteFn }) => {
      const span = tracing.startSpan('graphql.execute', { attributes: operationAttributes(args) });
      const active = tracing.contextWith(span);
      setExecuteFn((execArgs) => tracing.runIn(active, () => executeFn(execArgs)));
      return {
        onExecuteDone: ({ result }) => {
          noteResult(span, result);
          span.end();
        },
      };
    },
    onSubscribe: ({ args, subscribeFn, setSubscribeFn }) => {
      const span = tracing.startSpan('graphql.subscribe', { attributes: operationAttributes(args) });
      const active = tracing.contextWith(span);
      setSubscribeFn((subscribeArgs) => tracing.runIn(active, () => subscribeFn(subscribeArgs)));
      return {
        onSubscribeResult: ({ result }) => {
          noteResult(span, result);
          span.end();
        },
        onSubscribeError: ({ error }) => {
          failSpan(span, error);
          span.end();
        },
      };
    },
  };
}
