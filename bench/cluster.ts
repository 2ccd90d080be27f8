// Section 8: a gateway on a 3-node RethinkDB cluster started here (loopback, the server binary
// of ../shared/rethinkdb or RETHINKDB_BIN).
// - throughput: the same reads through a gateway given one host and through one given all three,
//   on a table of 3 shards x 3 replicas (each node the primary of one shard), interleaved;
// - failover: SIGKILL the node holding a table's primary and the gateway's feed, under
//   subscribers; time to the first read the gateway answers, to the first write a surviving node
//   acknowledges, and until every subscriber has that write (the feed reopened elsewhere, resynced).
import autocannon from 'autocannon';
import { createClient, type Client } from 'graphql-ws';
import { r, type Connection } from 'rethinkdb-ts';
import { WebSocket } from 'ws';
import { RethinkdbCluster, rethinkdbBinary, type RethinkdbServer } from '../test/support/rethinkdb-cluster.js';
import { startGatewayProcess, type BenchDatabase, type Row } from './support.js';

export interface ClusterSizes {
  docs: number;
  durationMs: number;
  concurrency: number;
  rounds: number;
  subscribers: number;
}

const DB = 'bench_cluster';
const urlOf = (nodes: readonly RethinkdbServer[]) => `rethinkdb://admin@${nodes.map((node) => `127.0.0.1:${node.driverPort}`).join(',')}/${DB}`;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A BenchDatabase for startGatewayProcess: the cluster (or some of its nodes) by URL. */
function databaseOf(nodes: readonly RethinkdbServer[]): BenchDatabase {
  const first = nodes[0] as RethinkdbServer;
  return { url: urlOf(nodes), host: '127.0.0.1', port: first.driverPort, user: 'admin', password: '', label: 'cluster', real: true, stop: async () => undefined };
}

async function table(connection: Connection, name: string, shards: number): Promise<void> {
  await r.db(DB).tableCreate(name, { shards, replicas: 3 }).run(connection);
  await r.db(DB).table(name).wait({ waitFor: 'all_replicas_ready', timeout: 120 }).run(connection);
}

async function throughput(nodes: readonly RethinkdbServer[], connection: Connection, sizes: ClusterSizes): Promise<Row[]> {
  await table(connection, 'spread', 3);
  const docs = Array.from({ length: sizes.docs }, (_, i) => ({ id: `p${i}`, score: (i * 7919) % 1000, team: ['red', 'blue', 'green'][i % 3] }));
  for (let i = 0; i < docs.length; i += 1000) await r.db(DB).table('spread').insert(docs.slice(i, i + 1000)).run(connection);
  const operations = {
    'document(id)': Array.from({ length: 64 }, (_, i) => `{ document(table: "spread", id: "p${(i * 104_729) % sizes.docs}") }`),
    'documents(ids: 10 ids)': Array.from({ length: 16 }, (_, i) => `{ documents(table: "spread", ids: [${Array.from({ length: 10 }, (_, j) => `"p${((i * 10 + j) * 7919) % sizes.docs}"`).join(', ')}]) }`),
  };
  const gateways = { one: await startGatewayProcess(databaseOf(nodes.slice(0, 1))), three: await startGatewayProcess(databaseOf(nodes)) };
  const rows: Row[] = [];
  try {
    for (const [operation, queries] of Object.entries(operations)) {
      const load = (url: string) =>
        autocannon({
          url,
          connections: sizes.concurrency,
          duration: sizes.durationMs / 2000,
          requests: queries.map((query) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })),
        });
      const results: Record<'one' | 'three', autocannon.Result[]> = { one: [], three: [] };
      // Two interleaved rounds of half the duration each, so drift on the shared cores hits both alike.
      for (let round = 0; round < 2; round++) for (const key of ['one', 'three'] as const) results[key].push(await load(gateways[key].url));
      const rps = (key: 'one' | 'three') => mean(results[key].map((result) => result.requests.average));
      const errors = [...results.one, ...results.three].reduce((sum, result) => sum + result.errors + result.non2xx, 0);
      rows.push({ read: operation, '1 host req/s': rps('one'), '3 hosts req/s': rps('three'), 'ratio 3/1': rps('three') / rps('one'), errors });
    }
  } finally {
    await Promise.all([gateways.one.stop(), gateways.three.stop()]);
  }
  return rows;
}

/** Subscribers on graphql-ws (10 sockets); `seen(id)` counts those that have had an ADD of `id`. */
function subscribe(url: string, name: string, count: number) {
  const clients: Client[] = Array.from({ length: 10 }, () => createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 }));
  const ready = new Set<number>();
  const added: Set<string>[] = Array.from({ length: count }, () => new Set<string>());
  for (let i = 0; i < count; i++) {
    (clients[i % 10] as Client).subscribe<{ changes: { type: string; id: string } }>(
      { query: `subscription { changes(table: "${name}") { type id } }` },
      { next: ({ data }) => (data?.changes.type === 'READY' ? ready.add(i) : added[i]?.add(data?.changes.id ?? '')), error: () => undefined, complete: () => undefined },
    );
  }
  return { ready: () => ready.size === count, seen: (id: string) => added.filter((ids) => ids.has(id)).length, close: () => Promise.all(clients.map((client) => client.dispose())) };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out');
    await pause(10);
  }
  return performance.now();
}

async function failover(cluster: readonly RethinkdbServer[], connections: Map<RethinkdbServer, Connection>, round: number, subscribers: number): Promise<Row> {
  const name = `failover_${round}`;
  const setup = connections.get(cluster[0] as RethinkdbServer) as Connection;
  await table(setup, name, 1);
  const config = (await r.db(DB).table(name).config().run(setup)) as unknown as { shards: { primary_replica: string }[] };
  const victim = cluster.find((node) => node.name === config.shards[0]?.primary_replica) as RethinkdbServer;
  const survivors = cluster.filter((node) => node !== victim);
  // The victim first: the gateway's feed goes to the first host up, so the kill takes it and the primary.
  const gateway = await startGatewayProcess(databaseOf([victim, ...survivors]));
  const subscriptions = subscribe(gateway.url, name, subscribers);
  try {
    await until(subscriptions.ready);
    const direct = connections.get(survivors[0] as RethinkdbServer) as Connection;
    const killed = performance.now();
    await victim.kill();
    const read = until(async () => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ count(table: "${name}") }` }) });
      return !((await response.json()) as { errors?: unknown }).errors;
    });
    const written = until(() => r.db(DB).table(name).insert({ id: 'marker' }).run(direct).then(() => true, () => false));
    await written;
    const synced = await until(() => subscriptions.seen('marker') === subscribers);
    const row = { round: String(round), 'kill → first read ms': (await read) - killed, 'kill → write acknowledged ms': (await written) - killed, [`kill → ${subscribers} subscribers have it ms`]: synced - killed };
    await victim.restart(survivors);
    connections.set(victim, await r.connect({ server: { host: '127.0.0.1', port: victim.driverPort }, silent: true }));
    await r.db(DB).wait({ waitFor: 'all_replicas_ready', timeout: 120 }).run(direct);
    return row;
  } finally {
    await subscriptions.close();
    await gateway.stop();
  }
}

/** Runs section 8 (undefined when there is no server binary); returns its two tables. */
export async function measureCluster(sizes: ClusterSizes): Promise<{ throughput: Row[]; failover: Row[] } | undefined> {
  if (!rethinkdbBinary) return undefined;
  const cluster = new RethinkdbCluster();
  const connections = new Map<RethinkdbServer, Connection>();
  try {
    const first = await cluster.start('bench_1');
    const nodes = [first, ...(await Promise.all([cluster.start('bench_2', first), cluster.start('bench_3', first)]))];
    for (const node of nodes) connections.set(node, await r.connect({ server: { host: '127.0.0.1', port: node.driverPort }, silent: true }));
    await r.dbCreate(DB).run(connections.get(first) as Connection);
    const spread = await throughput(nodes, connections.get(first) as Connection, sizes);
    const rounds: Row[] = [];
    for (let round = 1; round <= sizes.rounds; round++) rounds.push(await failover(nodes, connections, round, sizes.subscribers));
    return { throughput: spread, failover: rounds };
  } finally {
    await Promise.all([...connections.values()].map((connection) => connection.close().catch(() => undefined)));
    await cluster.stop();
  }
}
