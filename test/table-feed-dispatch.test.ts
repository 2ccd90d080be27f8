import { describe, expect, it, vi } from 'vitest';
import type { FeedHandlers, RawChange } from '../src/db/index.js';
import { parseWhere } from '../src/filter/parse.js';
import { createLogger } from '../src/observability/logger.js';
import { dispatchKeyOf, type DispatchKey } from '../src/subscriptions/dispatch-key.js';
import { TableFeed, type FeedListener } from '../src/subscriptions/table-feed.js';

// Unit test of the table feed's dispatch (a stubbed database feed): a change reaches the
// queries it can concern and no other.
function listener(dispatchKey?: DispatchKey): FeedListener & { changes: RawChange[] } {
  const changes: RawChange[] = [];
  return { changes, dispatchKey, onFeedOpen: () => undefined, onFeedDown: () => undefined, onFeedFailed: () => undefined, onChange: (change) => changes.push(change) };
}

async function openFeed() {
  let handlers: FeedHandlers | undefined;
  const feed = new TableFeed({
    name: 'test.t',
    open: (h) => {
      handlers = h;
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    maxBackoffMs: 100,
    missingTableGraceMs: 100,
    log: createLogger('silent'),
  });
  await vi.waitFor(() => expect(handlers).toBeDefined());
  return { feed, push: (change: RawChange) => handlers?.onChange(change) };
}

const doc = (id: string | number, channel: unknown) => ({ id, channel });

describe('table feed dispatch', () => {
  it('hands a change to unkeyed listeners and to keyed ones whose value the old or new document holds', async () => {
    const { feed, push } = await openFeed();
    const all = listener();
    const lobby = listener(dispatchKeyOf('id', parseWhere({ channel: { eq: 'lobby' } })));
    const news = listener(dispatchKeyOf('id', parseWhere({ and: [{ channel: 'news' }, { urgent: true }] })));
    const one = listener(dispatchKeyOf('id', undefined, ['7', 7]));
    const either = listener(dispatchKeyOf('id', parseWhere({ channel: { in: ['lobby', 'news'] } })));
    for (const l of [all, lobby, news, one, either]) feed.add(l);

    const insertLobby = { old_val: null, new_val: doc('a', 'lobby') };
    const moveToNews = { old_val: doc('a', 'lobby'), new_val: doc('a', 'news') };
    const other = { old_val: null, new_val: doc('b', 'other') };
    const numberKey = { old_val: doc(7, 1), new_val: null };
    const notPrimitive = { old_val: null, new_val: doc('c', ['lobby']) };
    for (const change of [insertLobby, moveToNews, other, numberKey, notPrimitive]) push(change);

    expect(all.changes).toEqual([insertLobby, moveToNews, other, numberKey, notPrimitive]);
    expect(lobby.changes).toEqual([insertLobby, moveToNews]);
    expect(news.changes).toEqual([moveToNews]);
    expect(one.changes).toEqual([numberKey]);
    expect(either.changes).toEqual([insertLobby, moveToNews]); // once each, though both values match the move
    await feed.close();
  });

  it('keys only what eq pins: nested paths, ranges and or-filters hear everything', () => {
    expect(dispatchKeyOf('id', parseWhere({ 'team.name': 'red' }))).toBeUndefined();
    expect(dispatchKeyOf('id', parseWhere({ score: { gt: 3 } }))).toBeUndefined();
    expect(dispatchKeyOf('id', parseWhere({ or: [{ a: 1 }, { b: 2 }] }))).toBeUndefined();
    expect(dispatchKeyOf('id', parseWhere({ tags: ['x'] }))).toBeUndefined();
    expect(dispatchKeyOf('id', parseWhere({ owner: null }))).toBeUndefined();
    expect(dispatchKeyOf('id', parseWhere({ owner: 'alice', score: { gt: 3 } }))).toEqual({ field: 'owner', values: ['alice'] });
  });

  it('forgets a removed listener', async () => {
    const { feed, push } = await openFeed();
    const lobby = listener(dispatchKeyOf('id', parseWhere({ channel: 'lobby' })));
    feed.add(lobby);
    feed.remove(lobby);
    push({ old_val: null, new_val: doc('a', 'lobby') });
    expect(lobby.changes).toEqual([]);
    expect(feed.listenerCount).toBe(0);
    await feed.close();
  });
});
