import { describe, expect, it } from 'vitest';
import { ReplayLog } from '../src/subscriptions/replay-log.js';
import { encodeResumeToken, parseResumeToken } from '../src/subscriptions/resume-token.js';

function logOf(events: number, maxAgeMs = 60_000) {
  let now = 0;
  const log = new ReplayLog<{ n: number; token: string }>('query-key', { events, maxAgeMs }, () => now);
  const add = (n: number) => log.append((token) => ({ n, token }));
  return { log, add, advance: (ms: number) => (now += ms) };
}

describe('ReplayLog', () => {
  it('gives exactly the events after a token while they are all kept', () => {
    const { log, add } = logOf(5);
    const first = add(1);
    add(2);
    add(3);
    expect(log.since(parseResumeToken(first.token))?.map((event) => event.n)).toEqual([2, 3]);
    expect(log.since(parseResumeToken(log.currentToken))).toEqual([]);
  });

  it('says RESET (undefined) once an event after the token was dropped by count or age', () => {
    const { log, add, advance } = logOf(3, 1000);
    const first = add(1);
    add(2);
    add(3);
    add(4); // drops 1: the events after 1 (2, 3, 4) are all still kept
    expect(log.since(parseResumeToken(first.token))?.map((event) => event.n)).toEqual([2, 3, 4]);
    add(5); // drops 2, which a client holding 1's token has not seen
    expect(log.since(parseResumeToken(first.token))).toBeUndefined();
    const fifth = parseResumeToken(log.currentToken);
    add(6);
    expect(log.since(fifth)?.map((event) => event.n)).toEqual([6]);
    advance(1001); // 6 is now too old: a client holding 5's token missed it
    add(7);
    expect(log.since(fifth)).toBeUndefined();
  });

  it('never resumes across a restart (lost feed), another query, or a position from the future', () => {
    const { log, add } = logOf(10);
    const first = parseResumeToken(add(1).token);
    add(2);
    expect(log.since({ ...first, query: 'other' })).toBeUndefined();
    expect(log.since({ ...first, seq: 99 })).toBeUndefined();
    log.restart();
    add(3);
    expect(log.since(first)).toBeUndefined();
  });

  it('with a window of 0 events keeps nothing and still numbers events', () => {
    const { log, add } = logOf(0);
    const first = add(1);
    add(2);
    expect(log.size).toBe(0);
    expect(log.since(parseResumeToken(first.token))).toBeUndefined();
    expect(first.token).not.toBe(log.currentToken);
  });
});

describe('resume tokens', () => {
  it('round-trip, and anything else is a BAD_USER_INPUT naming resumeFrom', () => {
    const position = { epoch: 'e', query: 'q', seq: 7 };
    expect(parseResumeToken(encodeResumeToken(position))).toEqual(position);
    for (const bad of ['', 'not a token', Buffer.from('[1,"e","q",-1]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(300), 42]) {
      expect(() => parseResumeToken(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringContaining('resumeFrom') }));
    }
  });
});
