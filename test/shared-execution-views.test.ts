import { parse, type ExecutionResult } from 'graphql';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../src/auth/identity.js';
import type { Context } from '../src/graphql/context.js';
import { useSharedSubscriptions } from '../src/graphql/shared-execution.js';

// The cohort key of shared execution, on its own: a field whose value depends on the caller and
// not on the event (as a typed pointer field read with the caller's permissions does) must never
// be shared between callers, even though every subscriber gets the very same event object.
// The gateway's own fields are covered end to end in shared-execution.test.ts.
const pubsub = createPubSub<{ tick: [{ n: number }] }>();
const schema = createSchema<Context>({
  typeDefs: 'type Query { ok: Boolean } type Tick { n: Int, seenBy: String } type Subscription { tick: Tick }',
  resolvers: {
    Subscription: { tick: { subscribe: () => pubsub.subscribe('tick'), resolve: (payload: { n: number }) => payload } },
    Tick: { seenBy: (_tick: unknown, _args: unknown, ctx: Context) => `${ctx.identity.role}:${ctx.identity.userId}` },
  },
});

const who = (role: string, userId: string | null): Identity => ({ role, userId, claims: {}, subject: null });

describe('shared execution and the caller', () => {
  it('shares between identical callers only: same role, user and claims', async () => {
    let executions = 0;
    const yoga = createYoga<{ identity: Identity }, Context>({
      schema,
      plugins: [useSharedSubscriptions({ onExecuted: () => executions++ })],
      // Only what the tested fields read; a real Context has more.
      context: ({ identity }) => ({ identity, eventToken: {} }) as unknown as Context,
    });
    const document = parse('subscription { tick { n seenBy } }');
    const subscribe = async (identity: Identity) => {
      const { subscribe: run, contextFactory, schema: enveloped } = yoga.getEnveloped({ identity });
      const stream = await run({ schema: enveloped, document, contextValue: await contextFactory() });
      return stream as AsyncIterableIterator<ExecutionResult>;
    };
    const callers = [who('reader', 'alice'), who('reader', 'alice'), who('reader', 'bob'), who('editor', 'alice'), { ...who('reader', 'alice'), claims: { team: 'x' } }];
    const streams = await Promise.all(callers.map(subscribe));
    const next = () => Promise.all(streams.map(async (stream) => (await stream.next()).value as ExecutionResult));

    const pending = next();
    pubsub.publish('tick', { n: 1 });
    const first = await pending;
    expect(first.map((result) => result.data)).toEqual([
      { tick: { n: 1, seenBy: 'reader:alice' } },
      { tick: { n: 1, seenBy: 'reader:alice' } },
      { tick: { n: 1, seenBy: 'reader:bob' } },
      { tick: { n: 1, seenBy: 'editor:alice' } },
      { tick: { n: 1, seenBy: 'reader:alice' } },
    ]);
    // Four distinct callers: four executions for five subscribers; the two identical ones got one result.
    expect(executions).toBe(4);
    expect(first[0]).toBe(first[1]);
    expect(first[0]).not.toBe(first[4]);
    await Promise.all(streams.map((stream) => stream.return?.()));
  });
});
