import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SERIALIZED, type SharedResult } from '../src/graphql/shared-results.js';
import { sseEvent, sseResponse } from '../src/graphql/sse-events.js';

// The text/event-stream of a subscription (src/graphql/sse-events.ts), unit by unit: the events
// it writes, the bytes a cohort's members share, and the stream around them. That SSE
// subscribers receive what their own execution would send is test/shared-execution.test.ts's.
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

async function* results(list: ExecutionResult[], finished: { done: boolean }) {
  try {
    yield* list;
  } finally {
    finished.done = true;
  }
}

describe('SSE events', () => {
  it('writes a shared result as one event with its resume token as id, encoded once for every subscriber', () => {
    const shared: SharedResult = { data: { changes: { type: 'ADD', id: 'a' } }, extensions: { resumeToken: 'tok-1' }, [SERIALIZED]: undefined };
    const first = sseEvent(shared);
    expect(text(first)).toBe('id: tok-1\nevent: next\ndata: {"data":{"changes":{"type":"ADD","id":"a"}},"extensions":{"resumeToken":"tok-1"}}\n\n');
    expect(sseEvent(shared)).toBe(first);
  });

  it("serializes any other result per subscriber as yoga does: no id without a token, yoga's http and unexpected marks left out", () => {
    const error = new GraphQLError('denied', { path: ['changes'], extensions: { code: 'FORBIDDEN', http: { status: 403 }, unexpected: true } });
    const result: ExecutionResult = { data: { changes: null }, errors: [error], extensions: { http: { status: 403 }, trace: 'x' } };
    const event = sseEvent(result);
    expect(text(event)).toBe('event: next\ndata: {"data":{"changes":null},"errors":[{"message":"denied","path":["changes"],"extensions":{"code":"FORBIDDEN"}}],"extensions":{"trace":"x"}}\n\n');
    expect(sseEvent(result)).not.toBe(event);
    expect(text(sseEvent({ data: { a: 1 } }))).toBe('event: next\ndata: {"data":{"a":1}}\n\n');
  });

  it('streams a ping first, each result, then complete, and ends the results when the client leaves', async () => {
    const finished = { done: false };
    const response = sseResponse(results([{ data: { n: 1 } }, { data: { n: 2 } }], finished), { Response });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe(':\n\nevent: next\ndata: {"data":{"n":1}}\n\nevent: next\ndata: {"data":{"n":2}}\n\nevent: complete\ndata:\n\n');
    expect(finished.done).toBe(true);

    const left = { done: false };
    const reader = sseResponse(results([{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 3 } }], left), { Response }).body?.getReader();
    expect(text((await reader?.read())?.value ?? new Uint8Array())).toBe(':\n\n');
    expect(text((await reader?.read())?.value ?? new Uint8Array())).toBe('event: next\ndata: {"data":{"n":1}}\n\n');
    await reader?.cancel();
    expect(left.done).toBe(true);
  });
});
