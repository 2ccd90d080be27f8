import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The RethinkDB server binary, found as scripts/rethinkdb-test-server.sh finds it (RETHINKDB_BIN, else ../shared beside the project); undefined when absent. */
export const rethinkdbBinary: string | undefined = [process.env.RETHINKDB_BIN, resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/rethinkdb/rethinkdb')].find(
  (path): path is string => path !== undefined && existsSync(path),
);

/** One RethinkDB server started by a test, on loopback and free ports, with a private directory. */
export interface RethinkdbServer {
  readonly name: string;
  readonly driverPort: number;
  readonly clusterPort: number;
  /** SIGKILL (a crash), and waits for the process to be gone. */
  kill(): Promise<void>;
  /**
   * Starts it again after kill(), on the same directory and the same ports (clients keep their
   * address), joining `peers`' cluster ports; resolves once it prints "Server ready".
   */
  restart(peers?: readonly RethinkdbServer[]): Promise<void>;
}

/** Servers started by a test; `stop()` kills every one still running (by PID) and removes their directories. */
export class RethinkdbCluster {
  private readonly children: ChildProcess[] = [];
  private readonly directories: string[] = [];

  /** Starts a server named `name` (joining `peer`'s cluster when given); resolves once it prints "Server ready". */
  async start(name: string, peer?: RethinkdbServer): Promise<RethinkdbServer> {
    const dir = await mkdtemp(join(tmpdir(), 'rethinkql-cluster-'));
    this.directories.push(dir);
    let running = await this.launch(name, dir, { driver: 0, cluster: 0 }, peer ? [peer.clusterPort] : []);
    const ports = running.ports;
    return {
      name,
      driverPort: ports.driver,
      clusterPort: ports.cluster,
      kill: () => running.kill(),
      restart: async (peers = []) => {
        running = await this.launch(name, dir, ports, peers.map((server) => server.clusterPort));
      },
    };
  }

  private async launch(name: string, dir: string, fixed: { driver: number; cluster: number }, joins: readonly number[]) {
    if (!rethinkdbBinary) throw new Error('no RethinkDB server binary (set RETHINKDB_BIN)');
    const args = ['--bind', '127.0.0.1', '--directory', join(dir, 'data'), '--driver-port', String(fixed.driver), '--cluster-port', String(fixed.cluster), '--http-port', '0'];
    args.push('--cache-size', '128', '--no-update-check', '--server-name', name);
    for (const port of joins) args.push('--join', `127.0.0.1:${port}`);
    const child = spawn(rethinkdbBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let output = '';
    const ports = await new Promise<{ driver: number; cluster: number }>((ready, fail) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const driver = /client driver connections on port (\d+)/.exec(output)?.[1];
        const cluster = /intracluster connections on port (\d+)/.exec(output)?.[1];
        if (driver && cluster && /^Server ready/m.test(output)) ready({ driver: Number(driver), cluster: Number(cluster) });
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => fail(new Error(`rethinkdb ${name} exited (${code}) before it was ready:\n${output}`)));
    });
    return {
      ports,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** Stops every server still running (SIGTERM, by PID) and removes the directories. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    await Promise.all(this.directories.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
