import { r, type Connection } from 'rethinkdb-ts';
import { vi } from 'vitest';
import type { DatabaseTarget } from '../../src/config/config.js';
import { RethinkdbCluster, type RethinkdbServer } from './rethinkdb-cluster.js';
import type { TestGateway } from './gateway.js';

/** One host of the gateway's `/ready` body (several hosts: by position in RETHINKDB_URL). */
export interface ReadyHost {
  position: number;
  state: 'up' | 'down' | 'connecting';
  connections: number;
  feeds: number;
  queries: number;
}

/** `/ready` of a gateway on a cluster. */
export interface ReadyBody {
  ready: boolean;
  database: string;
  hosts?: ReadyHost[];
}

/** A 3-node RethinkDB cluster of a test's own (loopback, free ports, --join), and direct connections to it. */
export class HaCluster {
  readonly cluster = new RethinkdbCluster();
  nodes: RethinkdbServer[] = [];
  private readonly connections: Connection[] = [];

  /** Starts the three nodes: the first, then two joining it. */
  async start(prefix: string): Promise<void> {
    const first = await this.cluster.start(`${prefix}_1`);
    const others = await Promise.all([this.cluster.start(`${prefix}_2`, first), this.cluster.start(`${prefix}_3`, first)]);
    this.nodes = [first, ...others];
  }

  /** The gateway's database target: every node, `order` first (the pool puts a feed on the first host up with the fewest). */
  target(order: readonly RethinkdbServer[] = this.nodes): DatabaseTarget & { kind: 'external' } {
    const hosts = order.map((node) => ({ host: '127.0.0.1', port: node.driverPort }));
    return { kind: 'external', host: '127.0.0.1', port: hosts[0]?.port ?? 0, user: 'admin', password: '', hosts };
  }

  /** A direct driver connection to `node`, closed by stop(). */
  async connect(node: RethinkdbServer): Promise<Connection> {
    const connection = await r.connect({ server: { host: '127.0.0.1', port: node.driverPort }, silent: true });
    this.connections.push(connection);
    return connection;
  }

  /** Creates `db.table` with 3 replicas (if the database is missing, it too) and waits until every replica is ready. */
  async replicatedTable(connection: Connection, db: string, table: string): Promise<void> {
    if (!(await r.dbList().run(connection)).includes(db)) await r.dbCreate(db).run(connection);
    await r.db(db).tableCreate(table, { replicas: 3 }).run(connection);
    await r.db(db).table(table).wait({ waitFor: 'all_replicas_ready', timeout: 60 }).run(connection);
  }

  /** The node holding the primary replica of `db.table`. */
  async primaryOf(connection: Connection, db: string, table: string): Promise<RethinkdbServer> {
    // The driver types config() as a database's; a table's has `shards`.
    const config = (await r.db(db).table(table).config().run(connection)) as unknown as { shards: { primary_replica: string }[] };
    const name = config.shards[0]?.primary_replica;
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new Error(`no primary replica for ${db}.${table}: ${JSON.stringify(config.shards)}`);
    return node;
  }

  /** Closes the direct connections and stops every node. */
  async stop(): Promise<void> {
    await Promise.all(this.connections.splice(0).map((connection) => connection.close().catch(() => undefined)));
    await this.cluster.stop();
  }
}

/** The gateway's `/ready`: its status code and body. */
export async function readyOf(gw: TestGateway): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`http://127.0.0.1:${gw.app.port}/ready`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

/** Waits until `/ready` shows the host at `position` (1-based) in `state`; returns that host. */
export async function untilHost(gw: TestGateway, position: number, state: ReadyHost['state'], timeout = 60_000): Promise<ReadyHost> {
  let found: ReadyHost | undefined;
  await vi.waitFor(
    async () => {
      found = (await readyOf(gw)).body.hosts?.find((host) => host.position === position);
      if (found?.state !== state) throw new Error(`host ${position} is ${JSON.stringify(found)}, not ${state}`);
    },
    { timeout, interval: 100 },
  );
  return found as ReadyHost;
}
