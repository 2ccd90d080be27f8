import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startTestGateway, uniqueTable, type TestGateway } from './support/gateway.js';
import { subscribeSse, subscribeWs, WsClients, type Collector } from './support/subscriptions.js';

type ChangesData = { changes: { type: string; id: string | null; new: { v: number } | null } };
type LiveData = { live: { documents: { id: string; v: number }[] } };

const QUEUE = 8;
let gw: TestGateway;
const clients = new WsClients();
const open: Collector<unknown>[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ subscriberQueueSize: QUEUE });
});
afterEach(async () => {
  open.splice(0).forEach((subscription) => subscription.stop());
  await clients.closeAll();
  await vi.waitFor(() => expect(gw.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }), { timeout: 5000 });
});
afterAll(() => gw?.close());

/** A graphql-ws client whose TCP socket can stop reading, like a client on a congested link. */
function pausableClient() {
  const sockets: WebSocket[] = [];
  class PausableWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  const client = clients.open(gw.app.url, { webSocketImpl: PausableWebSocket });
  const tcp = () => sockets.map((socket) => (socket as unknown as { _socket: Socket })._socket);
  return { client, pause: () => tcp().forEach((socket) => socket.pause()), resume: () => tcp().forEach((socket) => socket.resume()) };
}

const big = 'x'.repeat(64 * 1024);
/**
 * Writes `count` updates of one 64 KiB document: each event carries old and new (128 KiB), so a
 * client that stops reading fills the kernel's socket buffers and the gateway's queue behind them.
 */
async function burst(table: string, count: number): Promise<void> {
  for (let start = 1; start <= count; start += 6) {
    const updates = Array.from({ length: Math.min(6, count - start + 1) }, (_, i) => `u${i}: update(table: $t, id: "a", patch: { v: ${start + i}, big: $big })`);
    await gw.ok(`mutation($t: String!, $big: String!) { ${updates.join('\n')} }`, { t: table, big });
  }
}

async function bigTable(): Promise<string> {
  const table = uniqueTable('slow');
  await gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
  await gw.ok(`mutation($t: String!, $big: String!) { insert(table: $t, documents: [{ id: "a", v: 0, big: $big }]) { inserted } }`, { t: table, big });
  return table;
}

const CHANGES = 'subscription($t: String!) { changes(table: $t) { type id new } }';
const LIVE = 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "v" }], limit: 1) { documents } }';
const UPDATES = 240;

describe('a slow subscriber', () => {
  it('on changes: gets SUBSCRIBER_TOO_SLOW and is ended, without slowing the others', async () => {
    const table = await bigTable();
    const slow = pausableClient();
    const lagging = subscribeWs<ChangesData>(slow.client, CHANGES, { t: table });
    const fast = subscribeWs<ChangesData>(clients.open(gw.app.url), CHANGES, { t: table });
    open.push(lagging, fast);
    await lagging.until((data) => data.length === 1, 'READY');
    await fast.until((data) => data.length === 1, 'READY');
    slow.pause();
    await burst(table, UPDATES);
    // The fast subscriber gets every event while the slow one is stuck.
    await fast.until((data) => data.at(-1)?.changes.new?.v === UPDATES, 'every update');
    expect(fast.data.slice(1).map((data) => data.changes.new?.v)).toEqual(Array.from({ length: UPDATES }, (_, i) => i + 1));
    // The slow one overflowed: the hub let go of it at once, before the client read anything.
    await vi.waitFor(() => expect(gw.app.subscriptions.stats().subscribers).toBe(1));
    slow.resume();
    await lagging.ended;
    expect(lagging.completed).toBe(true);
    const last = lagging.results.at(-1);
    expect(last?.errors?.[0]).toMatchObject({
      message: `this subscription fell more than ${QUEUE} events behind and was ended; resubscribe with includeInitial: true to get the current state`,
      extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
    });
    expect(lagging.data.length).toBeLessThan(UPDATES);
  });

  it('on live over SSE: skips to the newest result and stays subscribed', async () => {
    const table = await bigTable();
    const lagging = subscribeSse<LiveData>(gw.app.url, LIVE, { t: table });
    open.push(lagging);
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
    expect(gw.app.subscriptions.stats().subscribers).toBe(1);
  });
});
