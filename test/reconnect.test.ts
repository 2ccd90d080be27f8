import { afterEach, describe, expect, it, vi } from 'vitest';
import { r, type Connection } from 'rethinkdb-ts';
import { startApp, type App } from '../src/app.js';
import { defaultConfig } from '../src/config/config.js';
import { startEmbeddedServer, type EmbeddedServer } from '../src/db/index.js';
import { createLogger } from '../src/observability/logger.js';
import { dropDatabases, realServer, startTestGateway, uniqueDatabase, uniqueTable, type TestGateway } from './support/gateway.js';
import { replayChanges, sortedById } from './support/change-state.js';
import { subscribeSse, subscribeWs, WsClients, type ChangesData, type Doc } from './support/subscriptions.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

type LiveData = { live: { documents: Doc[] } };

const CHANGES = 'subscription($t: String!, $w: JSONObject) { changes(table: $t, where: $w, includeInitial: true) { type id old new } }';
const LIVE = 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "score", direction: DESC }], limit: 2) { documents } }';

const clients = new WsClients();
const leftovers: (() => unknown)[] = [];
afterEach(async () => {
  await clients.closeAll();
  // Close in reverse order of start: subscriptions, gateways, proxies, databases, connections.
  for (const close of leftovers.splice(0).reverse()) await close();
});

describe('when the database link drops (a TCP proxy cut) and comes back', () => {
  let app: App;
  let proxy: TcpProxy;
  let direct: Connection;
  // On reqlite a server of its own with the default database; on a real server (RETHINKDB_URL),
  // shared by the whole run, a database of its own there, dropped afterwards.
  let dbName = 'test';

  async function start(): Promise<void> {
    let server: { host: string; port: number; user: string; password: string };
    if (realServer) {
      const shared = realServer;
      server = shared;
      dbName = uniqueDatabase();
      leftovers.push(() => dropDatabases(shared, [dbName]));
    } else {
      const db: EmbeddedServer = await startEmbeddedServer();
      leftovers.push(() => db.stop());
      server = { host: db.host, port: db.port, user: db.user, password: db.password };
      dbName = 'test';
    }
    direct = await r.connect({ server: { host: server.host, port: server.port }, user: server.user, password: server.password, silent: true });
    leftovers.push(() => direct.close());
    await r.dbCreate(dbName).run(direct);
    proxy = await startTcpProxy(server);
    leftovers.push(() => proxy.close());
    app = await startApp(
      defaultConfig({ port: 0, defaultDb: dbName, database: { kind: 'external', host: '127.0.0.1', port: proxy.port, user: server.user, password: server.password } }),
      createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    );
    leftovers.push(() => app.close());
  }

  /** Creates the table directly; a real server answers before the table takes writes, so wait for it there (reqlite has no wait). */
  async function createTable(table: string): Promise<void> {
    await r.db(dbName).tableCreate(table).run(direct);
    if (realServer) await r.db(dbName).table(table).wait().run(direct);
  }

  it('resynchronises: a subscriber that stayed connected is told of every row that changed meanwhile', async () => {
    await start();
    const table = uniqueTable('cut');
    const t = r.db(dbName).table(table);
    await createTable(table);
    await t.insert([{ id: 'a', score: 10 }, { id: 'b', score: 20 }, { id: 'c', score: 30 }, { id: 'x', score: 1 }]).run(direct);

    const matching = { score: { gte: 10 } };
    const ws = subscribeWs<ChangesData>(clients.open(app.url), CHANGES, { t: table, w: matching });
    const sse = subscribeSse<ChangesData>(app.url, CHANGES, { t: table, w: matching });
    const top = subscribeWs<LiveData>(clients.open(app.url), LIVE, { t: table });
    leftovers.push(() => [ws, sse, top].forEach((subscription) => subscription.stop()));
    for (const subscription of [ws, sse]) await subscription.until((data) => data.some((d) => d.changes.type === 'READY'));
    await top.until((data) => data.length === 1);
    expect(app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 3 });

    proxy.cut();
    await vi.waitFor(() => expect(app.subscriptions.stats().feeds).toBe(0));
    // Written straight to the database while the gateway cannot see it: no feed reports these.
    await t.get('a').update({ score: 15 }).run(direct);
    await t.get('b').delete().run(direct);
    await t.insert({ id: 'd', score: 40 }).run(direct);
    await t.get('c').update({ score: 5 }).run(direct); // leaves the filter
    await t.get('x').update({ score: 50 }).run(direct); // enters it
    await t.insert({ id: 'y', score: 2 }).run(direct); // never matches
    proxy.restore();

    const expected = [{ id: 'a', score: 15 }, { id: 'd', score: 40 }, { id: 'x', score: 50 }];
    for (const subscription of [ws, sse]) {
      await subscription.until(() => JSON.stringify(sortedById(replayChanges(subscription))) === JSON.stringify(expected), 'the state after the outage');
      const after = subscription.data.map((d) => d.changes).slice(subscription.data.findIndex((d) => d.changes.type === 'READY') + 1);
      expect(after.map((event) => `${event.type} ${event.id}`).sort()).toEqual(['ADD d', 'ADD x', 'CHANGE a', 'REMOVE b', 'REMOVE c']);
      expect(subscription.completed).toBe(false);
    }
    await top.until((data) => JSON.stringify(data.at(-1)?.live.documents) === JSON.stringify([{ id: 'x', score: 50 }, { id: 'd', score: 40 }]));
    expect(app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 3 });

    // And the feed is live again.
    await t.insert({ id: 'e', score: 99 }).run(direct);
    await ws.until((data) => data.at(-1)?.changes.id === 'e');
    await top.until((data) => data.at(-1)?.live.documents[0]?.id === 'e');
  });

  it('a client that left before the outage and resumes after it gets RESET and the current state: changes may have been missed', async () => {
    await start();
    const table = uniqueTable('cut');
    const t = r.db(dbName).table(table);
    await createTable(table);
    await t.insert({ id: 'a', score: 1 }).run(direct);
    const RESUMABLE = 'subscription($t: String!, $from: String) { changes(table: $t, resumeFrom: $from) { type id old new resumeToken } }';
    const first = subscribeWs<ChangesData & { changes: { resumeToken: string | null } }>(clients.open(app.url), RESUMABLE, { t: table });
    await first.until((data) => data.some((d) => d.changes.type === 'READY'));
    await t.insert({ id: 'b', score: 2 }).run(direct);
    await first.until((data) => data.at(-1)?.changes.id === 'b');
    const token = first.data.at(-1)?.changes.resumeToken;
    first.stop();
    // Its query stays open for the resume grace period, and goes through the outage.
    await vi.waitFor(() => expect(app.subscriptions.stats()).toEqual({ feeds: 1, queries: 1, subscribers: 0 }));
    proxy.cut();
    await vi.waitFor(() => expect(app.subscriptions.stats().feeds).toBe(0));
    await t.insert({ id: 'c', score: 3 }).run(direct);
    proxy.restore();
    await vi.waitFor(() => expect(app.subscriptions.stats().feeds).toBe(1), { timeout: 15_000 });

    const resumed = subscribeWs<ChangesData>(clients.open(app.url), RESUMABLE, { t: table, from: token });
    leftovers.push(() => resumed.stop());
    await resumed.until((data) => data.some((d) => d.changes.type === 'READY') && replayChanges(resumed).size === 3);
    // The feed counts as open before its resynchronising read has landed: a resume served in
    // between gets the state before the outage, then what it missed as the resync's change.
    expect([
      ['RESET', 'INITIAL', 'INITIAL', 'INITIAL', 'READY'],
      ['RESET', 'INITIAL', 'INITIAL', 'READY', 'ADD'],
    ]).toContainEqual(resumed.data.map((d) => d.changes.type));
    expect(sortedById(replayChanges(resumed))).toEqual([{ id: 'a', score: 1 }, { id: 'b', score: 2 }, { id: 'c', score: 3 }]);
  });
});

// reqlite only: it kills the gateway's own embedded server and starts it again empty; on a real
// server (shared by the whole run, and durable) there is no such server to kill.
describe.skipIf(realServer)('when the embedded database is killed and restarted on the same port (empty)', () => {
  let gw: TestGateway;

  it('reopens the feed once the table exists again and brings subscribers to the new state', async () => {
    gw = await startTestGateway();
    leftovers.push(() => gw.close());
    const table = uniqueTable('restart');
    await gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    await gw.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "a", score: 10 }, { id: "b", score: 20 }, { id: "c", score: 30 }]) { inserted } }', { t: table });
    const changes = subscribeWs<ChangesData>(clients.open(gw.app.url), CHANGES, { t: table });
    const top = subscribeSse<LiveData>(gw.app.url, LIVE, { t: table });
    leftovers.push(() => [changes, top].forEach((subscription) => subscription.stop()));
    await changes.until((data) => data.some((d) => d.changes.type === 'READY'));
    await top.until((data) => data.length === 1);

    const embedded = gw.app.embedded as EmbeddedServer;
    process.kill(embedded.pid, 'SIGKILL');
    await vi.waitFor(() => expect(gw.app.subscriptions.stats().feeds).toBe(0));
    const restarted = await startEmbeddedServer({ port: embedded.port, password: embedded.password });
    leftovers.push(() => restarted.stop());

    // reqlite kept nothing: the gateway recreates its default database on reconnecting; the
    // test recreates the table and (other) rows through the gateway.
    await vi.waitFor(async () => expect((await gw.gql<{ databases: string[] }>('{ databases }')).data?.databases).toContain('test'), { timeout: 15_000, interval: 100 });
    await gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
    await gw.ok('mutation($t: String!) { insert(table: $t, documents: [{ id: "a", score: 10 }, { id: "b", score: 25 }, { id: "d", score: 40 }]) { inserted } }', { t: table });

    const expected = [{ id: 'a', score: 10 }, { id: 'b', score: 25 }, { id: 'd', score: 40 }];
    await changes.until(() => JSON.stringify(sortedById(replayChanges(changes))) === JSON.stringify(expected), 'the new state');
    await top.until((data) => JSON.stringify(data.at(-1)?.live.documents) === JSON.stringify([{ id: 'd', score: 40 }, { id: 'b', score: 25 }]));
    expect(changes.completed).toBe(false);
    expect(gw.app.subscriptions.stats()).toEqual({ feeds: 1, queries: 2, subscribers: 2 });
    expect((await gw.app.metrics.feedReconnects.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
  });
});
