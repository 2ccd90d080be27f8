import { describe, expect, it, vi } from 'vitest';
import { uniqueTable } from './support/gateway.js';
import { subscribeSse, subscribeWs, subscriptionSuite } from './support/subscriptions.js';

type ChangesData = { changes: { type: string; id: string | null; new: { v: number } | null } };
type LiveData = { live: { documents: { id: string; v: number }[] } };

const QUEUE = 8;
const suite = subscriptionSuite({ subscriberQueueSize: QUEUE });
const { clients } = suite;

const big = 'x'.repeat(64 * 1024);
/**
 * Writes `count` updates of one 64 KiB document: each event carries old and new (128 KiB), so a
 * client that stops reading fills the kernel's socket buffers and the gateway's queue behind them.
 */
async function burst(table: string, count: number): Promise<void> {
  for (let start = 1; start <= count; start += 6) {
    const updates = Array.from({ length: Math.min(6, count - start + 1) }, (_, i) => `u${i}: update(table: $t, id: "a", patch: { v: ${start + i}, big: $big })`);
    await suite.gw.ok(`mutation($t: String!, $big: String!) { ${updates.join('\n')} }`, { t: table, big });
  }
}

async function bigTable(): Promise<string> {
  const table = uniqueTable('slow');
  await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  await suite.gw.ok(`mutation($t: String!, $big: String!) { insert(table: $t, documents: [{ id: "a", v: 0, big: $big }]) { inserted } }`, { t: table, big });
  return table;
}

const CHANGES = 'subscription($t: String!) { changes(table: $t) { type id new } }';
const LIVE = 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "v" }], limit: 1) { documents } }';
const UPDATES = 240;

describe('a slow subscriber', () => {
  it('on changes: gets SUBSCRIBER_TOO_SLOW and is ended, without slowing the others', async () => {
    const table = await bigTable();
    // Its TCP socket stops reading, like a client on a congested link.
    const slow = clients.openExposed(suite.gw.app.url);
    const lagging = suite.track(subscribeWs<ChangesData>(slow.client, CHANGES, { t: table }));
    const fast = suite.track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), CHANGES, { t: table }));
    await lagging.until((data) => data.length === 1, 'READY');
    await fast.until((data) => data.length === 1, 'READY');
    slow.pause();
    await burst(table, UPDATES);
    // The fast subscriber gets every event while the slow one is stuck.
    await fast.until((data) => data.at(-1)?.changes.new?.v === UPDATES, 'every update');
    expect(fast.data.slice(1).map((data) => data.changes.new?.v)).toEqual(Array.from({ length: UPDATES }, (_, i) => i + 1));
    // The slow one overflowed: the hub let go of it at once, before the client read anything.
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1));
    slow.resume();
    await lagging.ended;
    expect(lagging.completed).toBe(true);
    const last = lagging.results.at(-1);
    expect(last?.errors?.[0]).toMatchObject({
      message: `this subscription fell more than ${QUEUE} events behind and was ended; resubscribe with resumeFrom: the last resumeToken you received (or with includeInitial: true to start over)`,
      extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
    });
    expect(lagging.data.length).toBeLessThan(UPDATES);

    // It resumes from the last token it received and gets exactly what it missed.
    const received = lagging.data.map((data) => data.changes.new?.v).filter((v) => v !== undefined);
    const token = lagging.results.filter((result) => !result.errors).at(-1)?.extensions?.resumeToken;
    expect(typeof token).toBe('string');
    const resumed = suite.track(subscribeWs<ChangesData>(clients.open(suite.gw.app.url), `subscription($t: String!, $from: String) { changes(table: $t, resumeFrom: $from) { type id new } }`, { t: table, from: token }));
    await resumed.until((data) => data.some((d) => d.changes.type === 'READY'), 'the missed updates and READY');
    const next = (received.at(-1) ?? 0) + 1;
    expect(resumed.data.slice(0, -1).map((data) => data.changes.new?.v)).toEqual(Array.from({ length: UPDATES - next + 1 }, (_, i) => next + i));
  });

  it('on live over SSE: skips to the newest result and stays subscribed', async () => {
    const table = await bigTable();
    const lagging = subscribeSse<LiveData>(suite.gw.app.url, LIVE, { t: table });
    suite.track(lagging);
    await lagging.until((data) => data.length === 1, 'the first result');
    lagging.pause();
    await burst(table, UPDATES);
    lagging.resume();
    await lagging.until((data) => data.at(-1)?.live.documents[0]?.v === UPDATES, 'the newest result');
    expect(lagging.completed).toBe(false);
    expect(lagging.data.length).toBeLessThan(UPDATES);
    // Results only move forward: skipped ones are dropped, never reordered.
    const values = lagging.data.map((data) => data.live.documents[0]?.v ?? -1);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1);
  });
});
