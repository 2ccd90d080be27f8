import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { AggregateResult } from '../db/index.js';
import type { Context } from '../graphql/context.js';
import type { TableModel } from '../models/model.js';
import { whereOf, type TypedInput } from '../models/translate.js';
import type { Payload } from '../subscriptions/events.js';
import type { LiveAggregateResult } from '../subscriptions/live-aggregate.js';
import { aggregate as genericAggregate, liveAggregate as genericLiveAggregate, type AggregateFieldsArgs } from './aggregates.js';

/** Arguments of `playersAggregate(...)`: groupBy holds stored keys (the enum's values). */
export interface TypedAggregateArgs {
  where?: TypedInput | null;
  groupBy?: readonly string[] | null;
  limit?: number | null;
}

/** Arguments of `playersLiveAggregate(...)`. */
export interface TypedLiveAggregateArgs extends TypedAggregateArgs {
  throttle?: number | null;
  resumeFrom?: string | null;
}

const KINDS = ['sum', 'avg', 'min', 'max'] as const;

/** The fields of a selection set, through inline fragments and fragment spreads. */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  return (set?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, fragments, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    return fieldsOf(fragments[name]?.selectionSet, fragments, seen);
  });
}

/**
 * What the operation selects under `groups { sum { .. } avg { .. } min { .. } max { .. } }`, as
 * stored keys: only those are computed, so a hidden field is refused only when it is asked for.
 * `keyOf` maps a GraphQL field name of the numbers type to its stored key.
 */
export function selectedAggregates(info: GraphQLResolveInfo, keyOf: (name: string) => string | undefined): AggregateFieldsArgs {
  const wanted: Record<(typeof KINDS)[number], Set<string>> = { sum: new Set(), avg: new Set(), min: new Set(), max: new Set() };
  const groups = info.fieldNodes.flatMap((node) => fieldsOf(node.selectionSet, info.fragments)).filter((field) => field.name.value === 'groups');
  for (const field of groups.flatMap((group) => fieldsOf(group.selectionSet, info.fragments))) {
    const kind = KINDS.find((one) => one === field.name.value);
    if (!kind) continue;
    for (const leaf of fieldsOf(field.selectionSet, info.fragments)) {
      const key = keyOf(leaf.name.value);
      if (key !== undefined) wanted[kind].add(key);
    }
  }
  return { sum: [...wanted.sum], avg: [...wanted.avg], min: [...wanted.min], max: [...wanted.max] };
}

/** The typed aggregate: delegates to the generic one (same permissions, limits and row budget). */
export function aggregate(ctx: Context, model: TableModel, args: TypedAggregateArgs, fields: AggregateFieldsArgs): Promise<AggregateResult> {
  return genericAggregate(ctx, { table: model.table, where: whereOf(model, args.where), groupBy: args.groupBy, fields, limit: args.limit });
}

/** The typed live aggregate: delegates to the generic one. */
export function liveAggregate(ctx: Context, model: TableModel, args: TypedLiveAggregateArgs, fields: AggregateFieldsArgs): Promise<AsyncIterableIterator<Payload<LiveAggregateResult>>> {
  const { throttle, resumeFrom, limit, groupBy } = args;
  return genericLiveAggregate(ctx, { table: model.table, where: whereOf(model, args.where), groupBy, fields, limit, throttle, resumeFrom });
}
