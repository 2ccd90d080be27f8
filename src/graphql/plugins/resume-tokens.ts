import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Records the resume token of the event being resolved for this operation (null: the event has
 * none) in its context's `eventToken`, where the plugin's onNext takes it right after, so every
 * result of the operation is matched with its own event (results execute one at a time).
 */
export function noteResumeToken(context: Context, token: string | null): void {
  context.eventToken.current = token;
}

/** A GraphQL result as it travels to the transport. */
interface ResultLike {
  extensions?: Record<string, unknown>;
}

/** Puts the token `noteResumeToken` recorded for this result's event into its extensions (shared execution already did, and left none). */
const RESULT_HOOKS = {
  onNext({ args, result, setResult }: { args: { contextValue: Context }; result: unknown; setResult: (result: ResultLike) => void }): void {
    const slot = args.contextValue.eventToken;
    const token = slot.current;
    slot.current = undefined;
    if (typeof token !== 'string') return;
    const current = result as ResultLike;
    setResult({ ...current, extensions: { ...current.extensions, resumeToken: token } });
  },
};
const SUBSCRIBE_HOOKS = { onSubscribeResult: () => RESULT_HOOKS };

/**
 * Resume tokens on the wire, for every transport:
 * - every subscription result whose event has a token carries it in `extensions.resumeToken`
 *   (also selectable as the `resumeToken` field);
 * - over SSE each such event gets `id: <token>` (src/graphql/sse-events.ts, which writes every
 *   subscription's `text/event-stream` response instead of yoga's processor), so a browser
 *   `EventSource` sends it back as the `Last-Event-ID` header when it reconnects, and the server
 *   resumes from it (the context's `lastEventId`, used by the subscription resolvers when
 *   `resumeFrom` is not given; test/resume.test.ts reads the ids as EventSource does).
 */
export function useResumeTokens(): Plugin<Context> {
  // The same hook objects for every operation: envelop keeps what onSubscribe returns (and what
  // its onSubscribeResult returns) for as long as the subscription is open.
  return { onSubscribe: () => SUBSCRIBE_HOOKS };
}
