import { r } from 'rethinkdb-ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { replayChanges, sortedById } from './support/change-state.js';
import { realServer, startTestGateway, type TestGateway } from './support/gateway.js';
import { HaCluster } from './support/ha-cluster.js';
import { rethinkdbBinary, type RethinkdbServer } from './support/rethinkdb-cluster.js';
import { untilListening } from './support/channels.js';
import { subscribeWs, WsClients, type ChangesData } from './support/subscriptions.js';

interface Event {
  id: string;
  channel: string;
  data: unknown;
}
type ChannelData = { channel: Event };

const DB = 'replicas';
const CHANNEL = 'subscription($name: String!, $after: ID) { channel(name: $name, after: $after) { id channel data } }';
const PUBLISH = 'mutation($channel: String!, $data: JSON!) { publish(channel: $channel, data: $data) { id channel data } }';
const CHANGES = 'subscription($t: String!, $from: String) { changes(table: $t, includeInitial: true, resumeFrom: $from) { type id old new resumeToken } }';

// Two gateway replicas on a cluster of three real RethinkDB servers started by this file, each
// given all three hosts, as docker-compose.yml runs them. Only a real RethinkDB clusters; it runs
// in CI's real-server lane (scripts/rethinkdb-test-server.sh sets RETHINKDB_URL).
describe.skipIf(!realServer || !rethinkdbBinary)('two gateway replicas on a 3-node RethinkDB cluster (own cluster, loopback)', () => {
  const ha = new HaCluster();
  const clients = new WsClients();
  let one: TestGateway;
  let two: TestGateway;

  beforeAll(async () => {
    await ha.start('ha_replicas');
    const setup = await ha.connect(ha.nodes[0] as RethinkdbServer);
    await r.dbCreate(DB).run(setup);
    const shared = { defaultDb: DB, eventsDb: `${DB}_events`, rdmAuditDb: `${DB}_audit`, dbWaitMs: 2000 };
    // Each replica lists the hosts in its own order, as replicas behind a load balancer may.
    one = await startTestGateway({ database: ha.target(), ...shared });
    two = await startTestGateway({ database: ha.target([...ha.nodes].reverse()), ...shared });
    await Promise.all([one.app.whenPrepared(), two.app.whenPrepared()]);
  }, 90_000);
  afterAll(async () => {
    await clients.closeAll();
    await one?.close();
    await two?.close();
    await ha.stop();
  }, 60_000);


  it('a write through one replica reaches the subscribers of the other', async () => {
    const setup = await ha.connect(ha.nodes[0] as RethinkdbServer);
    await ha.replicatedTable(setup, DB, 'scores');
    const onTwo = subscribeWs<ChangesData>(clients.open(two.app.url), CHANGES, { t: 'scores' });
    await onTwo.until((data) => data.some((d) => d.changes.type === 'READY'));
    await one.ok('mutation { insert(table: "scores", documents: [{ id: "a", v: 1 }]) { inserted } }');
    await onTwo.until((data) => data.at(-1)?.changes.type === 'ADD');
    expect(onTwo.data.at(-1)?.changes).toMatchObject({ type: 'ADD', id: 'a', new: { id: 'a', v: 1 } });
    onTwo.stop();
  });

  it('two replicas creating the same table at the same moment (each on another host) end with one table, usable by both', async () => {
    const direct = await ha.connect(ha.nodes[2] as RethinkdbServer);
    const CREATE = 'mutation($t: String!) { createTable(table: $t) { name } }';
    const names = ['twin_a', 'twin_b', 'twin_c', 'twin_d'];
    // RethinkDB creates both when two servers are asked at once; the gateways keep one of them.
    const answers = await Promise.all(names.flatMap((t) => [one.gql(CREATE, { t }), two.gql(CREATE, { t })]));
    for (const answer of answers) if (answer.errors) expect(answer.errors[0]?.extensions?.code).toBe('CONFLICT');
    const configs = await r.db('rethinkdb').table('table_config').filter({ db: DB }).run(direct);
    expect(configs.map((config: { name: string }) => config.name).filter((name: string) => names.includes(name)).sort()).toEqual(names);
    for (const t of names) {
      await one.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "x" }]) { inserted } }', { t });
      expect(await two.ok('query($t: String!) { count(table: $t) }', { t })).toEqual({ count: 1 });
    }
  }, 60_000);

  it('channel events published on one replica reach the subscribers of the other', async () => {
    const onTwo = subscribeWs<ChannelData>(clients.open(two.app.url), CHANNEL, { name: 'lobby' });
    await untilListening(one, 'lobby', onTwo);
    const event = (await one.ok<{ publish: Event }>(PUBLISH, { channel: 'lobby', data: { text: 'from one' } })).publish;
    await onTwo.until((data) => data.length === 1);
    expect(onTwo.data[0]?.channel).toEqual(event);
    onTwo.stop();
  }, 60_000);

  it('a client that moves from one replica to the other resumes its channel with `after` and loses nothing', async () => {
    const first = subscribeWs<ChannelData>(clients.open(one.app.url), CHANNEL, { name: 'moving' });
    await untilListening(one, 'moving', first);
    for (let i = 0; i < 3; i++) await one.ok(PUBLISH, { channel: 'moving', data: i });
    await first.until((data) => data.length === 3);
    first.stop();
    // Published on either replica while the client is away.
    const missed: Event[] = [];
    for (let i = 3; i < 7; i++) missed.push((await (i % 2 ? one : two).ok<{ publish: Event }>(PUBLISH, { channel: 'moving', data: i })).publish);
    const resumed = subscribeWs<ChannelData>(clients.open(two.app.url), CHANNEL, { name: 'moving', after: first.data.at(-1)?.channel.id });
    await resumed.until((data) => data.length === missed.length, 'the missed events');
    expect(resumed.data.map((d) => d.channel)).toEqual(missed);
    await vi.waitFor(
      async () => {
        await one.ok(PUBLISH, { channel: 'moving', data: 'live' });
        expect(resumed.data.length).toBeGreaterThan(missed.length);
      },
      { timeout: 30_000, interval: 100 },
    );
    const ids = resumed.data.map((d) => d.channel.id);
    expect(new Set(ids).size).toBe(ids.length);
    resumed.stop();
  }, 60_000);

  it('a table subscription that moves to the other replica with its resume token gets RESET and the current state (replay logs are per replica)', async () => {
    const setup = await ha.connect(ha.nodes[1] as RethinkdbServer);
    await ha.replicatedTable(setup, DB, 'moves');
    await r.db(DB).table('moves').insert({ id: 'a', v: 1 }).run(setup);
    const first = subscribeWs<ChangesData>(clients.open(one.app.url), CHANGES, { t: 'moves' });
    await first.until((data) => data.some((d) => d.changes.type === 'READY'));
    const token = first.data.at(-1)?.changes.resumeToken;
    first.stop();
    await r.db(DB).table('moves').insert({ id: 'b', v: 2 }).run(setup);
    const moved = subscribeWs<ChangesData>(clients.open(two.app.url), CHANGES, { t: 'moves', from: token });
    await moved.until((data) => data.some((d) => d.changes.type === 'READY'));
    expect(moved.data.map((d) => d.changes.type)).toEqual(['RESET', 'INITIAL', 'INITIAL', 'READY']);
    expect(sortedById(replayChanges(moved))).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 2 }]);
    moved.stop();
  });
});
