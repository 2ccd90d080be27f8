import { r, type Connection } from 'rethinkdb-ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmbeddedServer } from '../src/db/index.js';
import { dropDatabases, realServer, startTestGateway, uniqueDatabase, uniqueTable, type TestGateway } from './support/gateway.js';
import { readyOf, untilHost } from './support/ha-cluster.js';
import { subscribeWs, WsClients, type ChangesData } from './support/subscriptions.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const clients = new WsClients();
const leftovers: (() => unknown)[] = [];
afterEach(async () => {
  await clients.closeAll();
  for (const close of leftovers.splice(0).reverse()) await close();
});

const COUNT = 'query($t: String!) { count(table: $t) }';

// The pool's side of several hosts, on either backend: two TCP proxies to the same database are
// two "hosts" the test can cut or freeze one at a time (the cluster itself, with replicas and
// elections, is test/cluster-*.test.ts, on a real RethinkDB only).
describe('a gateway given two hosts (two proxies to one database)', () => {
  let gw: TestGateway;
  let proxies: TcpProxy[];
  let direct: Connection;
  let db: string;

  async function start(): Promise<void> {
    let server: { host: string; port: number; user: string; password: string };
    if (realServer) server = realServer;
    else {
      const embedded = await startEmbeddedServer();
      leftovers.push(() => embedded.stop());
      server = embedded;
    }
    db = realServer ? uniqueDatabase() : 'test';
    const shared = realServer;
    if (shared) leftovers.push(() => dropDatabases(shared, [db]));
    proxies = [await startTcpProxy(server), await startTcpProxy(server)];
    for (const proxy of proxies) leftovers.push(() => proxy.close());
    const hosts = proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.port }));
    gw = await startTestGateway({ database: { kind: 'external', host: '127.0.0.1', port: proxies[0]?.port ?? 0, hosts, user: server.user, password: server.password }, defaultDb: db, dbWaitMs: 3000 });
    leftovers.push(() => gw.close());
    await gw.app.whenPrepared();
    direct = await r.connect({ server: { host: server.host, port: server.port }, user: server.user, password: server.password, silent: true });
    leftovers.push(() => direct.close());
  }

  async function table(): Promise<string> {
    const name = uniqueTable('hosts');
    await gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: name });
    await gw.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "a", v: 1 }]) { inserted } }', { t: name });
    return name;
  }

  it('spreads queries over both hosts and shows each in /ready', async () => {
    await start();
    const name = await table();
    for (let i = 0; i < 16; i++) await gw.ok(COUNT, { t: name });
    const { status, body } = await readyOf(gw);
    expect(status).toBe(200);
    expect(body.hosts?.map((host) => [host.position, host.state, host.connections])).toEqual([
      [1, 'up', 4],
      [2, 'up', 4],
    ]);
    for (const host of body.hosts ?? []) expect(host.queries).toBeGreaterThan(4);
  });

  it('a host whose link drops is given up: reads go on, the feed moves and its subscriber is resynchronised; restored, the host is used again', async () => {
    await start();
    const name = await table();
    const subscriber = subscribeWs<ChangesData>(clients.open(gw.app.url), 'subscription($t: String!) { changes(table: $t) { type id new } }', { t: name });
    await subscriber.until((data) => data.some((d) => d.changes.type === 'READY'));
    expect((await readyOf(gw)).body.hosts?.map((host) => host.feeds)).toEqual([1, 0]);

    proxies[0]?.cut();
    await untilHost(gw, 1, 'down');
    expect(await gw.ok(COUNT, { t: name })).toEqual({ count: 1 });
    await r.db(db).table(name).insert({ id: 'b', v: 2 }).run(direct);
    await subscriber.until((data) => data.some((d) => d.changes.id === 'b'), 'the row written after the cut');
    expect((await readyOf(gw)).body.hosts?.map((host) => [host.state, host.feeds])).toEqual([
      ['down', 0],
      ['up', 1],
    ]);
    expect((await gw.app.metrics.dbFailovers.get()).values).toEqual([expect.objectContaining({ labels: { host: `127.0.0.1:${proxies[0]?.port}` }, value: 1 })]);

    proxies[0]?.restore();
    const back = await untilHost(gw, 1, 'up', 20_000);
    for (let i = 0; i < 8; i++) await gw.ok(COUNT, { t: name });
    expect((await untilHost(gw, 1, 'up')).queries).toBeGreaterThan(back.queries);
  });

  it('a host that stops answering with its connections open is given up by the heartbeat, not by a query timing out', async () => {
    await start();
    const name = await table();
    proxies[0]?.freeze();
    // The heartbeat (every second, 3 s to answer) gives it up; no query was sent meanwhile.
    await untilHost(gw, 1, 'down', 20_000);
    expect((await readyOf(gw)).status).toBe(200);
    await vi.waitFor(async () => expect(await gw.ok(COUNT, { t: name })).toEqual({ count: 1 }), { timeout: 10_000 });
  });
});
