import { r } from 'rethinkdb-ts';
import { describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../src/config/config.js';
import { replayChanges, sortedById } from './support/change-state.js';
import { realServer, type TestGateway } from './support/gateway.js';
import { ownServerSuite } from './support/own-server.js';
import type { RethinkdbServer } from './support/rethinkdb-server.js';
import { rethinkdbBinary } from './support/rethinkdb-server.js';
import { subscribeSse, subscribeWs, type ChangesData, type Doc } from './support/subscriptions.js';

type LiveData = { live: { documents: Doc[] } };
type ChannelData = { channel: { id: string; data: unknown } };

const CHANGES = 'subscription($t: String!) { changes(table: $t, includeInitial: true) { type id old new } }';
const LIVE = 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "n", direction: DESC }], limit: 3) { documents } }';
const CHANNEL = 'subscription($name: String!, $after: ID) { channel(name: $name, after: $after) { id data } }';
const INSERT = 'mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }';
const ALL = 'query($db: String, $t: String!, $w: JSONObject) { query(db: $db, table: $t, where: $w, orderBy: [{ field: "id" }], limit: 10000) }';

const { clients, later, ownServer, gatewayOn } = ownServerSuite();

/**
 * Writes one new document at a time through the gateway until stopped, and keeps the ids the
 * gateway acknowledged (answered without errors). A failed write is not retried (it may or may
 * not have been stored: only acknowledged ones are promised), and the next one waits a little,
 * as a client would, so an outage is not a busy loop.
 */
function steadyWriter(gw: TestGateway, table: string) {
  const acked: string[] = [];
  let failed = 0;
  let writing = true;
  const done = (async () => {
    for (let i = 1; writing; i++) {
      const id = `w${String(i).padStart(6, '0')}`;
      const result = await gw.gql<{ insert: { inserted: number } }>(INSERT, { t: table, d: [{ id, n: i }] }).catch(() => undefined);
      if (result?.data?.insert.inserted === 1 && !result.errors) acked.push(id);
      else {
        failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return {
    acked,
    get failed() {
      return failed;
    },
    /** Waits until `count` writes in all were acknowledged. */
    until: (count: number) => vi.waitFor(() => expect(acked.length).toBeGreaterThanOrEqual(count), { timeout: 30_000, interval: 20 }),
    stop: async () => {
      writing = false;
      await done;
    },
  };
}

/** Kills the database with SIGKILL, waits until the gateway has lost its feeds, and starts it again on the same data. */
async function crashAndRestart(server: RethinkdbServer, gw: TestGateway): Promise<void> {
  await server.kill('SIGKILL');
  await vi.waitFor(() => expect(gw.app.subscriptions.stats().feeds).toBe(0), { timeout: 15_000 });
  await server.restart();
}

// Only on CI's real-server lane (RETHINKDB_URL set) and where the server binary is: these tests
// kill a RethinkDB of their own and restart it on its data directory (the suite's shared server
// is never disturbed). On the embedded reqlite they mean nothing: it keeps nothing on disk
// (test/reconnect.test.ts covers its empty restart).
describe.skipIf(!realServer || !rethinkdbBinary)('the database killed (SIGKILL) and restarted on the same data directory', () => {
  it('loses no acknowledged write, and open changes/live subscriptions end in the final state of the table', async () => {
    const server = await ownServer();
    const gw = await gatewayOn(server, { maxLimit: 10_000 });
    const table = 'steady';
    await gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    await gw.ok(INSERT, { t: table, d: [{ id: 'seed', n: 0 }] });
    const changes = subscribeWs<ChangesData>(clients.open(gw.app.url), CHANGES, { t: table });
    const top = subscribeSse<LiveData>(gw.app.url, LIVE, { t: table });
    later(() => [changes, top].forEach((subscription) => subscription.stop()));
    await changes.until((data) => data.some((d) => d.changes.type === 'READY'));
    await top.until((data) => data.length === 1);

    const writer = steadyWriter(gw, table);
    later(() => writer.stop());
    await writer.until(50);
    await crashAndRestart(server, gw);
    const beforeRestart = writer.acked.length;
    await writer.until(beforeRestart + 50);
    await writer.stop();
    expect(writer.failed).toBeGreaterThan(0); // the writer did write through the outage

    const final = (await gw.ok<{ query: Doc[] }>(ALL, { t: table })).query;
    const stored = new Set(final.map((doc) => doc.id));
    expect(writer.acked.filter((id) => !stored.has(id)), 'acknowledged writes missing after the crash').toEqual([]);

    await changes.until(() => JSON.stringify(sortedById(replayChanges(changes))) === JSON.stringify(sortedById(final)), 'the final state of the table');
    // It stayed subscribed: one READY, and after it changes and a diff (no RESET, no second snapshot).
    const types = changes.data.map((d) => d.changes.type);
    expect(types.filter((type) => type === 'READY')).toHaveLength(1);
    // A write in flight at the crash can reach the feed (ADD) but not the disk; it was not
    // acknowledged, and the resync REMOVEs it. The writer has one write in flight at a time.
    const corrections = changes.data.slice(types.indexOf('READY') + 1).filter((d) => d.changes.type !== 'ADD').map((d) => d.changes);
    expect(corrections.length).toBeLessThanOrEqual(1);
    expect(corrections.filter((event) => event.type !== 'REMOVE' || writer.acked.includes(String(event.id)))).toEqual([]);
    const best = [...final].sort((a, b) => Number(b.n) - Number(a.n)).slice(0, 3);
    await top.until((data) => JSON.stringify(data.at(-1)?.live.documents) === JSON.stringify(best), 'the final top 3');
    expect([changes.completed, top.completed]).toEqual([false, false]);

    // One feed, in the gateway and on the server (none leaked by the reopening), none once they leave.
    const { poolSize } = defaultConfig();
    expect(gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 2 });
    expect(await server.changefeeds()).toHaveLength(1);
    // And connections: the pool's, plus the feed's own (none left over from the lost feed or failed reopenings).
    await vi.waitFor(async () => expect(await server.clientConnections()).toBe(poolSize + 1));
    expect((await gw.app.metrics.feedReconnects.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
    changes.stop();
    top.stop();
    await vi.waitFor(() => expect(gw.app.subscriptions.stats()).toEqual({ feeds: 0, queries: 0, subscribers: 0 }));
    await vi.waitFor(async () => expect(await server.changefeeds()).toEqual([]));
    await vi.waitFor(async () => expect(await server.clientConnections()).toBe(poolSize));
  });

  it('a channel subscriber connected through the restart gets what was published meanwhile by resync, and nothing it already had', async () => {
    const server = await ownServer();
    const gw = await gatewayOn(server, { maxLimit: 10_000 });
    const name = 'crash:room';
    const publish = async (data: unknown) => (await gw.ok<{ publish: { id: string } }>('mutation($c: String!, $d: JSON!) { publish(channel: $c, data: $d) { id } }', { c: name, d: data })).publish.id;
    // Subscribing after an anchor replays from the store, so nothing depends on when the feed opened.
    const anchor = await publish('anchor');
    const subscriber = subscribeWs<ChannelData>(clients.open(gw.app.url), CHANNEL, { name, after: anchor });
    later(() => subscriber.stop());
    const before = [await publish(0), await publish(1), await publish(2)];
    await subscriber.until((data) => data.length === 3);

    await crashAndRestart(server, gw);
    // Straight into the database as soon as it takes writes: most likely before the gateway's feed
    // is back (it reopens with backoff), so only the resync's fresh read can deliver it.
    await server.tablesReady();
    const direct = await r.connect({ server: { host: server.target.host, port: server.port }, silent: true });
    later(() => direct.close());
    const { eventsTable } = defaultConfig();
    const inserted = await r.db(gw.dbs.events).table(eventsTable).insert({ channel: name, data: 'while away', publishedAt: new Date().toISOString() }).run(direct);
    const after = [inserted.generated_keys?.[0] ?? '', await publish(3)];
    await subscriber.until((data) => data.length >= 5, 'the two events published around the restart');

    const stored = (await gw.ok<{ query: { id: string }[] }>(ALL, { db: gw.dbs.events, t: eventsTable, w: { channel: name } })).query.map((event) => event.id);
    const delivered = subscriber.data.map((d) => d.channel.id);
    expect(delivered.slice(0, 3)).toEqual(before);
    expect([...delivered].sort()).toEqual(stored.filter((id) => id !== anchor).sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.slice(3).sort()).toEqual([...after].sort());
    expect(subscriber.completed).toBe(false);
    expect(gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 1, subscribers: 1 });
  });
});
