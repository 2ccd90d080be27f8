import type { AggregateGroup, AggregateResult } from '../db/index.js';
import * as resolve from '../resolvers/aggregates.js';
import { eventOf } from '../resolvers/subscriptions.js';
import type { LiveAggregateResult } from '../subscriptions/live-aggregate.js';
import { tableArgs, type ArgBuilder } from './arguments.js';
import type { Builder } from './builder.js';
import { whereDescription } from './documents.js';
import { resumeFromArg, throttleArg } from './subscriptions.js';

/** How sum / avg / min / max treat values, said once for the schema's descriptions. */
export const numericAggregatesDescription =
  'Only numbers count: strings, booleans, null, missing fields, objects and arrays are ignored (in both backends). ' +
  'Null when the group holds no number for the field.';

/** The generic `aggregate` query and `liveAggregate` subscription. */
export function registerAggregates(builder: Builder): void {
  const FieldsInput = builder.inputType('AggregateFieldsInput', {
    description: `What to compute per group (field paths, nested with dots). ${numericAggregatesDescription}`,
    fields: (t) => ({
      count: t.boolean({ description: 'Rows per group (always computed; accepted for symmetry).' }),
      sum: t.stringList({ description: 'Sum of the numbers in each field.' }),
      avg: t.stringList({ description: 'Mean of the numbers in each field (sum / how many numbers).' }),
      min: t.stringList({ description: 'Least number in each field.' }),
      max: t.stringList({ description: 'Greatest number in each field.' }),
    }),
  });

  const GroupType = builder.objectRef<AggregateGroup>('AggregateGroup').implement({
    description: 'One group of an aggregate. Each of sum, avg, min and max maps a requested field path to its value (null: no number).',
    fields: (t) => ({
      key: t.field({ type: 'JSONObject', description: 'The group\'s value of each groupBy field, by field path; {} without groupBy.', resolve: (group) => ({ ...group.key }) }),
      count: t.int({ description: 'Rows in the group.', resolve: (group) => group.count }),
      sum: t.field({ type: 'JSONObject', resolve: (group) => ({ ...group.sum }) }),
      avg: t.field({ type: 'JSONObject', resolve: (group) => ({ ...group.avg }) }),
      min: t.field({ type: 'JSONObject', resolve: (group) => ({ ...group.min }) }),
      max: t.field({ type: 'JSONObject', resolve: (group) => ({ ...group.max }) }),
    }),
  });

  const groupsDescription = 'Ordered by key. Without groupBy exactly one group (count 0 when no row matches).';
  const ResultType = builder.objectRef<AggregateResult>('AggregateResult').implement({
    description: 'The groups of an aggregate.',
    fields: (t) => ({ groups: t.field({ type: [GroupType], description: groupsDescription, resolve: (result) => [...result.groups] }) }),
  });
  const LiveResultType = builder.objectRef<LiveAggregateResult>('LiveAggregateResult').implement({
    description: 'The whole current aggregate of a liveAggregate subscription.',
    fields: (t) => ({
      groups: t.field({ type: [GroupType], description: groupsDescription, resolve: (result) => [...result.groups] }),
      resumeToken: t.string({ description: 'Resuming (resumeFrom, or SSE Last-Event-ID) sends the current aggregate.', resolve: (result) => result.resumeToken }),
    }),
  });

  const aggregateArgs = (arg: ArgBuilder) => ({
    ...tableArgs(arg),
    where: arg({ type: 'JSONObject', description: whereDescription }),
    groupBy: arg.stringList({ description: 'Group by these field paths (a row lacking one has null there); none: one group.' }),
    fields: arg({ type: FieldsInput }),
    limit: arg.int({ description: 'Most groups (default and maximum as for query: 100 and 1000 unless configured); more is BAD_INPUT.' }),
  });

  builder.queryFields((t) => ({
    aggregate: t.field({
      type: ResultType,
      description:
        'Grouped count / sum / avg / min / max of the documents matching where, computed in the database, within the ' +
        'caller\'s row rule. Hidden fields may not be grouped by or aggregated (FORBIDDEN naming the field). Counts limit rows in the row budget.',
      args: aggregateArgs(t.arg),
      resolve: (_root, args, ctx) => resolve.aggregate(ctx, args),
    }),
  }));

  builder.subscriptionFields((t) => ({
    liveAggregate: t.field({
      type: LiveResultType,
      description:
        'The result of aggregate, first whole, then again whenever it changes: kept from the table\'s shared changefeed ' +
        '(count and sums exactly per change; min and max recomputed from the group when the row holding one leaves; ' +
        'read again from the database after a lost feed). ' +
        'A slow client skips to the newest result; resuming sends the current one.',
      args: { ...aggregateArgs(t.arg), throttle: throttleArg(t.arg), resumeFrom: resumeFromArg(t.arg) },
      subscribe: (_root, args, ctx) => resolve.liveAggregate(ctx, args),
      resolve: (payload, _args, ctx) => eventOf(ctx, payload),
    }),
  }));
}
