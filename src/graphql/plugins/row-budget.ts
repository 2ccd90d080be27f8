import {
  getNamedType,
  isCompositeType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { codedGraphQLError } from '../../errors/graphql.js';
import { isJsonObject } from '../../util/json.js';

/** What the row budget needs from the config. */
export interface RowBudgetSettings {
  /** Most rows one operation may ask for, summed over its fields. */
  maxRows: number;
  /** Rows a list field without `limit` returns. */
  defaultLimit: number;
  /** Most rows an RDM GET_ALL or FILTER returns. */
  rdmMaxRows: number;
}

/**
 * How a field that its arguments do not describe reads rows, set by the schema as the field's
 * `extensions.rowBudget`: `one` row (a pointer), or as an `rdm` packet asks (GET_ALL and
 * FILTER: RDM_MAX_ROWS, at most MAX_ROWS; INSERT: its documents; else 1).
 */
export type RowBudgetKind = 'one' | 'rdm';

/** `extensions` of a field whose rows are counted as `kind` (see RowBudgetKind). */
export function rowBudget(kind: RowBudgetKind): { rowBudget: RowBudgetKind } {
  return { rowBudget: kind };
}

type Args = ReadonlyMap<string, unknown>;

/**
 * The rows an operation asks for, from the schema: a field with a `limit` (or `first`/`last`)
 * argument reads that many (the default limit when absent); one with `ids` or `documents` as many as the list holds;
 * one with `table`, `id` or `document` one; others as their `extensions.rowBudget` says, or none.
 * What a field's selection reads is counted once per row the field reads (a list's pointers and
 * reverse lists multiply). Summed over aliases and fragments; values from variables are counted
 * too; anything unreadable counts as 0 (the resolver refuses it).
 */
export function rowsAskedFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>, settings: RowBudgetSettings): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const typeNamed = (name: string | undefined, fallback: GraphQLCompositeType): GraphQLCompositeType => {
    const type = name === undefined ? fallback : schema.getType(name);
    return type && isCompositeType(type) ? type : fallback;
  };
  const seen = new Set<string>();
  const count = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): number => {
    let rows = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) rows += count(selection.selectionSet, typeNamed(selection.typeCondition?.name.value, parent));
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        // A fragment spread twice in one selection is still counted per spread, but never recursively.
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          rows += count(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value, parent));
          seen.delete(fragment.name.value);
        }
      } else {
        const field = 'getFields' in parent ? parent.getFields()[selection.name.value] : undefined;
        if (!field) continue;
        const args: Args = new Map((selection.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value, variables)]));
        const own = fieldRows(field, args, settings);
        const type = getNamedType(field.type);
        const inner = selection.selectionSet && isCompositeType(type) ? count(selection.selectionSet, type) : 0;
        rows += own === undefined ? inner : own + own * inner;
      }
    }
    return rows;
  };
  return count(operation.selectionSet, root);
}

/** What the row budget reads of an operation about to run. */
type ExecutionArgs = { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null };

/** The rows one field reads by itself (undefined: none, it only passes its parent's on). */
function fieldRows(field: GraphQLField<unknown, unknown>, args: Args, settings: RowBudgetSettings): number | undefined {
  const kind = (field.extensions as { rowBudget?: RowBudgetKind } | undefined)?.rowBudget;
  if (kind === 'one') return 1;
  // An RDM read alone may return its own cap, as over the RDM transports; beside anything else it is over.
  if (kind === 'rdm') return rdmRows(args, Math.min(settings.rdmMaxRows, settings.maxRows));
  const declared = new Set(field.args.map((arg) => arg.name));
  // A page counts as its `first`, `last` or `limit` (one of them; the resolver refuses more).
  if (declared.has('limit') || declared.has('first')) return asCount(args.get('first') ?? args.get('last') ?? args.get('limit') ?? settings.defaultLimit);
  for (const list of ['ids', 'documents']) {
    const value = args.get(list);
    if (declared.has(list) && Array.isArray(value)) return value.length;
  }
  return ['table', 'id', 'document'].some((name) => declared.has(name)) ? 1 : undefined;
}

/** The rows an `rdm(operation, packet)` field returns or writes. */
function rdmRows(args: Args, rdmMaxRows: number): number {
  const operation = args.get('operation');
  if (operation === 'GET_ALL' || operation === 'FILTER') return rdmMaxRows;
  if (operation !== 'INSERT') return 1;
  let packet = args.get('packet');
  if (typeof packet === 'string') {
    try {
      packet = JSON.parse(packet) as unknown;
    } catch {
      return 1;
    }
  }
  const data = isJsonObject(packet) && isJsonObject(packet.payload) ? packet.payload.data : undefined;
  return Array.isArray(data) ? data.length : 1;
}

function asCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * Refuses, before it runs, an operation whose fields together ask for more than `maxRows` rows
 * (LIMIT_EXCEEDED, `limit: "MAX_ROWS"`): MAX_LIMIT bounds one field, this bounds what aliases
 * and nesting multiply (100 aliased `query(limit: 1000)` would read 100 000 rows). Needs the
 * variables, so it runs at execute/subscribe time rather than in validation.
 */
export function useRowBudget(settings: RowBudgetSettings): Plugin {
  const { maxRows } = settings;
  // Without variables the count depends only on the document and the schema: counted once per
  // parsed document (yoga's parse cache hands every request of one text the same DocumentNode).
  const constant = new WeakMap<DocumentNode, { schema: GraphQLSchema; rows: Map<string, number> }>();
  const rowsOf = (args: ExecutionArgs): number => {
    const count = () => rowsAskedFor(args.schema, args.document, args.operationName, args.variableValues ?? {}, settings);
    if (args.document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.variableDefinitions?.length)) return count();
    let entry = constant.get(args.document);
    if (entry?.schema !== args.schema) constant.set(args.document, (entry = { schema: args.schema, rows: new Map() }));
    const name = args.operationName ?? '';
    let rows = entry.rows.get(name);
    if (rows === undefined) entry.rows.set(name, (rows = count()));
    return rows;
  };
  const check = (args: ExecutionArgs): ExecutionResult | undefined => {
    const rows = rowsOf(args);
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
