import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { codedGraphQLError } from '../../errors/graphql.js';

/** What the row budget needs from the config. */
export interface RowBudgetSettings {
  /** Most rows one operation may ask for, summed over its fields. */
  maxRows: number;
  /** Rows a `query` field without `limit` returns. */
  defaultLimit: number;
}

/**
 * The rows an operation asks for: `limit` of every `query` and `live` field (the default limit
 * when absent), the length of every `ids` list of `documents` and of every `documents` list of
 * `insert`, and 1 per other field with a `table` argument — summed over aliases and fragments.
 * Values from variables are counted too; anything unreadable counts as 0 (the resolver refuses it).
 */
export function rowsAskedFor(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>, defaultLimit: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0;
  const seen = new Set<string>();
  const count = (selectionSet: SelectionSetNode): number => {
    let rows = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) rows += count(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        // A fragment spread twice in one selection is still counted per spread, but never recursively.
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          rows += count(fragment.selectionSet);
          seen.delete(fragment.name.value);
        }
      } else {
        const args = new Map((selection.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value, variables)]));
        if (!args.has('table')) continue;
        const name = selection.name.value;
        if (name === 'query' || name === 'live') rows += asCount(args.get('limit') ?? (name === 'query' ? defaultLimit : 0));
        else if (name === 'documents' && Array.isArray(args.get('ids'))) rows += (args.get('ids') as unknown[]).length;
        else if (name === 'insert' && Array.isArray(args.get('documents'))) rows += (args.get('documents') as unknown[]).length;
        else rows += 1;
      }
    }
    return rows;
  };
  return count(operation.selectionSet);
}

function asCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * Refuses, before it runs, an operation whose fields together ask for more than `maxRows` rows
 * (LIMIT_EXCEEDED, `limit: "MAX_ROWS"`): MAX_LIMIT bounds one field, this bounds what aliases
 * multiply (100 aliased `query(limit: 1000)` would read 100 000 rows). Needs the variables, so it
 * runs at execute/subscribe time rather than in validation.
 */
export function useRowBudget({ maxRows, defaultLimit }: RowBudgetSettings): Plugin {
  const check = (args: { document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }): ExecutionResult | undefined => {
    const rows = rowsAskedFor(args.document, args.operationName, args.variableValues ?? {}, defaultLimit);
    if (rows <= maxRows) return undefined;
    const error = codedGraphQLError('LIMIT_EXCEEDED', `the operation asks for ${rows} rows, more than the limit of ${maxRows} (MAX_ROWS)`, { limit: 'MAX_ROWS', rows, max: maxRows });
    return { errors: [error] };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}
