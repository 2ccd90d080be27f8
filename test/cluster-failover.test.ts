import { r, type Connection } from 'rethinkdb-ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { replayChanges, sortedById } from './support/change-state.js';
import { realServer, startTestGateway, type TestGateway } from './support/gateway.js';
import { HaCluster, readyOf, untilHost } from './support/ha-cluster.js';
import { SteadyWriter } from './support/ha-writer.js';
import { rethinkdbBinary, type RethinkdbServer } from './support/rethinkdb-cluster.js';
import { subscribeWs, WsClients, type ChangesData, type Collector, type Doc } from './support/subscriptions.js';

type LiveData = { live: { documents: Doc[] } };

const DB = 'ha';
const ROWS = 20;
const CHANGES = 'subscription($t: String!) { changes(table: $t, includeInitial: true) { type id old new } }';
const LIVE = 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "id" }], limit: 50) { documents } }';
const READ = 'query($t: String!) { count(table: $t) }';

/** Subscribers a test opens: `changes` and `live`, spread over a few websockets. */
function subscribe(clients: WsClients, gw: TestGateway, table: string, perKind: number) {
  const sockets = Array.from({ length: 5 }, () => clients.open(gw.app.url));
  const changes = Array.from({ length: perKind }, (_, i) => subscribeWs<ChangesData>(sockets[i % 5] as (typeof sockets)[0], CHANGES, { t: table }));
  const live = Array.from({ length: perKind }, (_, i) => subscribeWs<LiveData>(sockets[i % 5] as (typeof sockets)[0], LIVE, { t: table }));
  return { changes, live };
}

/** The table's rows as the database has them now, read on `connection` (a majority read: what the cluster holds). */
async function rowsOf(connection: Connection, table: string): Promise<Doc[]> {
  return sortedById(await r.db(DB).table(table, { readMode: 'majority' }).run(connection) as Doc[]);
}

/** Waits until every subscriber holds `expected` (the `changes` ones by replaying their events, the `live` ones by their last result). */
async function untilAllHold(subscribers: { changes: Collector<ChangesData>[]; live: Collector<LiveData>[] }, expected: Doc[], timeout = 60_000): Promise<void> {
  const want = JSON.stringify(expected);
  await vi.waitFor(
    () => {
      const behind = subscribers.changes.filter((s) => JSON.stringify(sortedById(replayChanges(s))) !== want).length + subscribers.live.filter((s) => JSON.stringify(s.data.at(-1)?.live.documents) !== want).length;
      if (behind > 0) throw new Error(`${behind} subscribers do not hold the final state yet`);
    },
    { timeout, interval: 100 },
  );
}

// A cluster of three real RethinkDB servers started by this file: only a real RethinkDB has
// replicas and failover (the embedded reqlite is one process). It runs in CI's real-server lane
// (scripts/rethinkdb-test-server.sh sets RETHINKDB_URL), where the server binary is present.
describe.skipIf(!realServer || !rethinkdbBinary)('on a 3-node RethinkDB cluster (own cluster, loopback)', () => {
  const ha = new HaCluster();
  const clients = new WsClients();
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    await ha.start('ha_failover');
  }, 60_000);
  afterAll(async () => {
    await clients.closeAll();
    for (const gw of gateways) await gw.close();
    await ha.stop();
  }, 60_000);

  it('a node dies under 50 subscribers and a steady writer: reads come back, every subscriber ends with the final state, no acknowledged write is lost; the node rejoins and is used again', async () => {
    const table = 'scores';
    const setup = await ha.connect(ha.nodes[0] as RethinkdbServer);
    await ha.replicatedTable(setup, DB, table);
    await r.db(DB).table(table).insert(Array.from({ length: ROWS }, (_, i) => ({ id: `r${i}`, v: 0 }))).run(setup);
    // The gateway's feed goes to the first host up with the fewest feeds: list the table's
    // primary first, so that its death takes the feed and the primary at once (the worst case).
    const victim = await ha.primaryOf(setup, DB, table);
    const survivors = ha.nodes.filter((node) => node !== victim);
    const gw = await startTestGateway({ database: ha.target([victim, ...survivors]), defaultDb: DB, dbWaitMs: 2000 });
    gateways.push(gw);
    await gw.app.whenPrepared();
    const direct = await ha.connect(survivors[0] as RethinkdbServer);

    const subscribers = subscribe(clients, gw, table, 25);
    await untilAllHold(subscribers, await rowsOf(direct, table));
    expect((await readyOf(gw)).body.hosts?.map((host) => [host.position, host.state, host.feeds])).toEqual([
      [1, 'up', 1],
      [2, 'up', 0],
      [3, 'up', 0],
    ]);

    const writer = new SteadyWriter(gw, table, ROWS);
    writer.start();
    await vi.waitFor(() => expect(writer.acknowledgedCount).toBeGreaterThan(10), { timeout: 15_000 });
    const killedAt = performance.now();
    await victim.kill();
    // Time to the first read the gateway answers again (not asserted: the machine is shared).
    let readAt = 0;
    await vi.waitFor(
      async () => {
        const answer = await gw.gql(READ, { t: table });
        if (answer.errors) throw new Error(JSON.stringify(answer.errors));
        readAt = performance.now();
      },
      { timeout: 60_000, interval: 20 },
    );
    const acknowledgedBefore = writer.acknowledgedCount;
    await vi.waitFor(() => expect(writer.acknowledgedCount).toBeGreaterThan(acknowledgedBefore + 10), { timeout: 60_000 });
    await writer.stop();
    const final = await rowsOf(direct, table);
    await untilAllHold(subscribers, final);
    const resyncedAt = performance.now();
    console.info(`node killed: first read after ${Math.round(readAt - killedAt)} ms, subscribers hold the final state after ${Math.round(resyncedAt - killedAt)} ms (${writer.acknowledgedCount} writes acknowledged, ${[...writer.uncertain.values()].flat().length} uncertain, ${writer.refused} refused)`);

    expect(writer.unexpected).toEqual([]);
    expect(writer.problems(new Map(final.map((doc) => [doc.id, doc.v as number])), 0)).toEqual([]);
    for (const subscriber of [...subscribers.changes, ...subscribers.live]) expect(subscriber.completed).toBe(false);
    expect((await readyOf(gw)).body.hosts?.map((host) => host.state)).toEqual(['down', 'up', 'up']);
    const failovers = (await gw.app.metrics.dbFailovers.get()).values;
    expect(failovers).toEqual([expect.objectContaining({ labels: { host: `127.0.0.1:${victim.driverPort}` }, value: 1 })]);

    // The node restarts on its directory and ports and rejoins: the gateway reconnects and sends it queries again.
    await victim.restart(survivors);
    const back = await untilHost(gw, 1, 'up');
    await r.db(DB).table(table).wait({ waitFor: 'all_replicas_ready', timeout: 60 }).run(direct);
    for (let i = 0; i < 12; i++) await gw.ok(READ, { t: table });
    expect((await untilHost(gw, 1, 'up')).queries).toBeGreaterThan(back.queries);
    // And the subscribers still follow (the primary may move back, and the feed with it: resync again).
    await vi.waitFor(async () => expect((await gw.gql('mutation($t: String!) { update(table: $t, id: "r1", patch: { v: -1 }) }', { t: table })).errors).toBeUndefined(), { timeout: 60_000, interval: 200 });
    await untilAllHold(subscribers, await rowsOf(direct, table));
  }, 240_000);

  it('the whole cluster goes down and comes back: /ready goes 503 and back to 200, and subscribers resynchronise', async () => {
    const table = 'outage';
    const setup = await ha.connect(ha.nodes[0] as RethinkdbServer);
    await ha.replicatedTable(setup, DB, table);
    await r.db(DB).table(table).insert([{ id: 'a', v: 1 }, { id: 'b', v: 2 }]).run(setup);
    const gw = await startTestGateway({ database: ha.target(), defaultDb: DB, dbWaitMs: 2000 });
    gateways.push(gw);
    await gw.app.whenPrepared();
    const subscribers = subscribe(clients, gw, table, 2);
    await untilAllHold(subscribers, [{ id: 'a', v: 1 }, { id: 'b', v: 2 }]);
    expect((await readyOf(gw)).status).toBe(200);

    await Promise.all(ha.nodes.map((node) => node.kill()));
    await vi.waitFor(async () => expect(await readyOf(gw)).toMatchObject({ status: 503, body: { ready: false, database: 'unreachable' } }), { timeout: 30_000, interval: 100 });
    expect((await readyOf(gw)).body.hosts?.map((host) => host.state)).toEqual(['down', 'down', 'down']);
    // Queries fail at once, saying the database is down (not after waiting).
    const down = await gw.gql(READ, { t: table });
    expect(down.errors?.[0]).toMatchObject({ extensions: { code: 'UNAVAILABLE' } });

    // Every node restarts on its directory and ports, joining the others.
    await Promise.all(ha.nodes.map((node) => node.restart(ha.nodes.filter((other) => other !== node))));
    await vi.waitFor(async () => expect((await readyOf(gw)).status).toBe(200), { timeout: 60_000, interval: 100 });
    const direct = await ha.connect(ha.nodes[1] as RethinkdbServer);
    await r.db(DB).table(table).wait({ waitFor: 'ready_for_writes', timeout: 60 }).run(direct);
    await r.db(DB).table(table).get('a').update({ v: 10 }).run(direct);
    await r.db(DB).table(table).get('b').delete().run(direct);
    await r.db(DB).table(table).insert({ id: 'c', v: 3 }).run(direct);
    await untilAllHold(subscribers, [{ id: 'a', v: 10 }, { id: 'c', v: 3 }]);
    for (const subscriber of [...subscribers.changes, ...subscribers.live]) expect(subscriber.completed).toBe(false);
    expect((await readyOf(gw)).body.hosts?.map((host) => host.state)).toEqual(['up', 'up', 'up']);
  }, 180_000);
});
