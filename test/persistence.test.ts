import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config/config.js';
import { realServer, type TestGateway } from './support/gateway.js';
import { ownServerSuite } from './support/own-server.js';
import { packet, rdmVia } from './support/rdm.js';
import { rethinkdbBinary } from './support/rethinkdb-server.js';
import { subscribeWs, type Collector } from './support/subscriptions.js';

interface Event {
  id: string;
  channel: string;
  data: unknown;
  publishedAt: string;
}
type ChannelData = { channel: Event };

const RESUME = 'subscription($name: String!, $after: ID) { channel(name: $name, after: $after) { id channel data publishedAt } }';
const PUBLISH = 'mutation($channel: String!, $data: JSON!) { publish(channel: $channel, data: $data) { id channel data publishedAt } }';
const QUERY = 'query($db: String, $t: String!, $w: JSONObject) { query(db: $db, table: $t, where: $w, orderBy: [{ field: "id" }], limit: 1000) }';

const { eventsTable, rdmAuditTable } = defaultConfig();
const { clients, sockets, later, ownServer, gatewayOn } = ownServerSuite();

/** Events in the order a resume replays them: by publishedAt, then id. */
const inStoredOrder = (events: readonly Event[]) => [...events].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));

async function publish(gw: TestGateway, channel: string, data: unknown): Promise<Event> {
  return (await gw.ok<{ publish: Event }>(PUBLISH, { channel, data })).publish;
}

// Only on CI's real-server lane (RETHINKDB_URL set) and where the server binary is: these tests
// start, stop and kill a RethinkDB of their own on its data directory (the suite's shared server
// is never disturbed). On the embedded reqlite they mean nothing: it keeps nothing on disk.
describe.skipIf(!realServer || !rethinkdbBinary)('persistence across a gateway restart (a real RethinkDB of the test\'s own)', () => {
  it('keeps documents, channel events and the RDM audit trail: a new gateway on the same (restarted) database reads them back', async () => {
    const server = await ownServer();
    const first = await gatewayOn(server);
    const table = 'kept';
    await first.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    await first.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "a", n: 1 }, { id: "b", n: 2, tags: ["x"] }, { id: "c", n: 3 }]) { inserted } }', { t: table });
    await first.ok('mutation($t: String!) { update(table: $t, id: "b", patch: { n: 20 }) }', { t: table });
    await first.ok('mutation($t: String!) { delete(table: $t, id: "c") }', { t: table });
    const published = [await publish(first, 'kept:room', { n: 0 }), await publish(first, 'kept:room', 'one'), await publish(first, 'kept:other', [2])];
    const rdm = rdmVia(first, 'http', sockets);
    const database = first.dbs.default;
    expect((await rdm('/insert', packet({ database, table, data: { id: 'r', via: 'rdm' } }, { id: 'audit-insert' }))).reply.status_code).toBe(200);
    expect((await rdm('/get', packet({ database, table, identifier: 'a' }, { id: 'audit-get' }))).reply.status_code).toBe(200);

    // Everything as the first gateway sees it, then the same through a new gateway.
    const read = async (gw: TestGateway) => ({
      documents: (await gw.ok<{ query: unknown[] }>(QUERY, { t: table })).query,
      events: (await gw.ok<{ query: unknown[] }>(QUERY, { db: gw.dbs.events, t: eventsTable })).query,
      audit: (await gw.ok<{ query: unknown[] }>(QUERY, { db: gw.dbs.audit, t: rdmAuditTable, w: { identifier: { startsWith: 'audit-' } } })).query,
    });
    const before = await read(first);
    expect(before.documents).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 20, tags: ['x'] }, { id: 'r', via: 'rdm' }]);
    expect(before.events).toEqual(expect.arrayContaining(published.map((event) => expect.objectContaining(event))));
    expect(before.events).toHaveLength(3);
    expect(before.audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ identifier: 'audit-insert', operation: 'insert' }),
        expect.objectContaining({ identifier: 'audit-get', operation: 'get' }),
      ]),
    );
    await first.close();
    // The database restarts too (a clean shutdown): what it acknowledged is on disk. It says
    // "ready" before its tables are loaded; the gateway started at once prepares itself again
    // (reads the tables for its schema) until they are.
    await server.restart();

    const second = await gatewayOn(server);
    expect(second.dbs).toEqual(first.dbs);
    expect(await read(second)).toEqual(before);
    // The table is still a table of the new gateway's schema, and writable.
    await second.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "d", n: 4 }]) { inserted } }', { t: table });
    expect((await second.ok<{ count: number }>('query($t: String!) { count(table: $t) }', { t: table })).count).toBe(4);
  });

  it('a channel subscriber resumes with `after` on the new gateway: every event published while it was away, in order, none twice, then live ones', async () => {
    const server = await ownServer();
    const first = await gatewayOn(server);
    const name = 'resume:across-restart';
    // Subscribing after an anchor replays from the store, so nothing depends on when the feed opened.
    const anchor = await publish(first, name, 'anchor');
    const subscriber: Collector<ChannelData> = subscribeWs<ChannelData>(clients.open(first.app.url), RESUME, { name, after: anchor.id });
    later(() => subscriber.stop());
    const seen = [await publish(first, name, 0), await publish(first, name, 1), await publish(first, name, 2)];
    await subscriber.until((data) => data.length === 3, 'the three events');
    expect(subscriber.data.map((d) => d.channel)).toEqual(inStoredOrder(seen));

    // The gateway stops: the subscription ends. Events keep coming, before and after the restart.
    const missed = [await publish(first, name, 3), await publish(first, name, 4)];
    await first.close();
    await subscriber.ended;
    expect(subscriber.data.length).toBeLessThanOrEqual(5); // it may have heard 3 and 4 before the end
    const second = await gatewayOn(server);
    missed.push(await publish(second, name, 5), await publish(second, name, 6), await publish(second, name, 7));
    const lastHeard = subscriber.data.at(-1)?.channel;
    const owed = inStoredOrder(missed).filter((event) => !subscriber.data.some((d) => d.channel.id === event.id));

    const resumed = subscribeWs<ChannelData>(clients.open(second.app.url), RESUME, { name, after: lastHeard?.id });
    later(() => resumed.stop());
    await resumed.until((data) => data.length === owed.length, `the ${owed.length} events it missed`);
    expect(resumed.data.map((d) => d.channel)).toEqual(owed);
    // The replay is read once the feed is live, so an event published now arrives live, once.
    const live = await publish(second, name, 'live');
    await resumed.until((data) => data.at(-1)?.channel.id === live.id, 'the live event');
    const ids = [...subscriber.data, ...resumed.data].map((d) => d.channel.id);
    expect(ids).toEqual([...inStoredOrder([...seen, ...missed]).map((event) => event.id), live.id]);
    expect(resumed.completed).toBe(false);
  });
});
