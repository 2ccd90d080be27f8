import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SERIALIZED, type SharedResult } from '../src/graphql/shared-results.js';
import { SseBody, sseEvent } from '../src/graphql/sse-events.js';

// The text/event-stream of a subscription (src/graphql/sse-events.ts), unit by unit: the events
// it writes, the bytes a cohort's members share, the stream around them, and the body as the
// operation's sink of shared results. That SSE
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
    const response = new SseBody().respond(results([{ data: { n: 1 } }, { data: { n: 2 } }], finished), { Response });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe(':\n\nevent: next\ndata: {"data":{"n":1}}\n\nevent: next\ndata: {"data":{"n":2}}\n\nevent: complete\ndata:\n\n');
    expect(finished.done).toBe(true);

    const left = { done: false };
    const reader = new SseBody().respond(results([{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 3 } }], left), { Response }).body?.getReader();
    expect(text((await reader?.read())?.value ?? new Uint8Array())).toBe(':\n\n');
    expect(text((await reader?.read())?.value ?? new Uint8Array())).toBe('event: next\ndata: {"data":{"n":1}}\n\n');
    await reader?.cancel();
    expect(left.done).toBe(true);
  });

  it("takes shared results as a sink between its stream's own, and waits for room once it holds 16 KiB", async () => {
    // The operation's own results: each `next()` waits for `release`.
    let release: (result: ExecutionResult) => void = () => undefined;
    const own: AsyncIterable<ExecutionResult> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<ExecutionResult>>((resolve) => (release = (value) => resolve({ done: false, value }))),
        return: () => Promise.resolve({ done: true, value: undefined }),
      }),
    };
    const body = new SseBody();
    const reader = body.respond(own, { Response }).body?.getReader();
    const read = async () => text((await reader?.read())?.value ?? new Uint8Array());
    expect(await read()).toBe(':\n\n');
    const shared = (n: number, size = 0): SharedResult => ({ data: { n, pad: 'x'.repeat(size) }, [SERIALIZED]: undefined });
    expect(body.write(shared(1))).toBeUndefined();
    expect(await read()).toBe('event: next\ndata: {"data":{"n":1,"pad":""}}\n\n');
    release({ data: { n: 2 } });
    expect(await read()).toBe('event: next\ndata: {"data":{"n":2}}\n\n');

    const waits = [1, 2, 3].map((n) => body.write(shared(n, 10_000)));
    expect(waits[0]).toBeUndefined();
    expect(waits[1]).toBeInstanceOf(Promise);
    let roomMade = false;
    void waits[1]?.then(() => (roomMade = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(roomMade).toBe(false);
    let got = '';
    while (!got.includes('"n":3,')) got += await read();
    const [one, two, three] = [1, 2, 3].map((n) => got.indexOf(`"n":${n},`));
    expect(one).toBeLessThan(two as number);
    expect(two).toBeLessThan(three as number);
    await waits[1];
    expect(roomMade).toBe(true);
    await reader?.cancel();
  });
});
