import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { r, type Connection } from 'rethinkdb-ts';
import type { DatabaseTarget } from '../../src/config/config.js';

/**
 * The RethinkDB server binary tests may start: RETHINKDB_BIN, else `../shared/rethinkdb/rethinkdb`
 * beside the project's root (as scripts/rethinkdb-test-server.sh); undefined when it is not an
 * executable file there.
 */
export const rethinkdbBinary: string | undefined = (() => {
  const bin = process.env.RETHINKDB_BIN ?? fileURLToPath(new URL('../../../shared/rethinkdb/rethinkdb', import.meta.url));
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    return undefined;
  }
})();

/** A RethinkDB server process a test started, with its data directory. */
export interface RethinkdbServer {
  /** `rethinkdb://127.0.0.1:<port>`. */
  readonly url: string;
  /** The driver port; the same across restarts (clients configured with it reconnect). */
  readonly port: number;
  /** The connection target for a gateway's `database` setting (user admin, no password). */
  readonly target: DatabaseTarget & { kind: 'external' };
  /** The data directory (`<dir>/data` holds the server's files). */
  readonly dir: string;
  /** The running process's id (changes with restart()); undefined while stopped. */
  readonly pid: number | undefined;
  /** Sends `signal` (default SIGTERM: a clean shutdown; SIGKILL: a crash) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same data directory and driver port (stopping it cleanly first if it still runs); resolves at "Server ready". */
  restart(): Promise<void>;
  /**
   * Resolves once every table of every database takes writes. After a restart the server says
   * "Server ready" before it has loaded its tables: until then reads and writes fail with
   * "primary replica … not available".
   */
  tablesReady(): Promise<void>;
  /** The changefeed queries the server is running now, as text (from its `rethinkdb.jobs` table): to check clients leak none. */
  changefeeds(): Promise<string[]>;
  /** How many client connections the server has open now, besides the one this asks on (from its `rethinkdb.stats` table): to check clients leak none. */
  clientConnections(): Promise<number>;
  /** Stops it (SIGTERM, SIGKILL after 15 s) and removes the data directory when the helper created it. */
  stop(): Promise<void>;
}

export interface RethinkdbServerOptions {
  /** The directory to keep the data in (kept by stop()); default a fresh temporary one, removed by stop(). */
  dir?: string;
  /** The server's cache in MB; default 128 (its own default takes a large share of the machine's memory). */
  cacheSizeMb?: number;
  /** How long to wait for "Server ready"; default 30 s (recovering after a crash takes longer than a first start). */
  readyTimeoutMs?: number;
}

/** Servers still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** How much of the server's output is kept for error messages. */
const LOG_KEEP = 8_000;
const DRIVER_PORT = /Listening for client driver connections on port (\d+)/;

/** Resolves with the driver port once `child` prints "Server ready"; rejects if it exits first or is not ready in time. */
function whenReady(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`RethinkDB server (pid ${child.pid}) ${why}; its output:\n${log}`));
    };
    const timer = setTimeout(() => fail(`was not ready after ${timeoutMs} ms`), timeoutMs);
    // Both pipes are read for the process's whole life: a full pipe would block the server.
    const read = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-LOG_KEEP);
      port ??= Number(DRIVER_PORT.exec(log)?.[1]) || undefined;
      if (port !== undefined && /^Server ready/m.test(log)) {
        clearTimeout(timer);
        resolve(port);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
  });
}

/** Runs `use` on a connection of its own to the server on `port`, closed afterwards. */
async function withConnection<T>(port: number, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await r.connect({ server: { host: '127.0.0.1', port }, user: 'admin', password: '', silent: true });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/**
 * Starts the real RethinkDB server (`rethinkdbBinary`) on loopback only, on free ports (the
 * driver port is kept for restarts), with its data in `dir`, and resolves once it prints
 * "Server ready". Throws when there is no binary (check `rethinkdbBinary` first) or it does not
 * start. Stop it in afterEach/afterAll.
 */
export async function startRethinkdbServer(options: RethinkdbServerOptions = {}): Promise<RethinkdbServer> {
  const bin = rethinkdbBinary;
  if (!bin) throw new Error('no RethinkDB server binary: set RETHINKDB_BIN or put one at ../shared/rethinkdb/rethinkdb');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rethinkql-persist-'));
  const { cacheSizeMb = 128, readyTimeoutMs = 30_000 } = options;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (driverPort: number): Promise<number> => {
    const args = ['--bind', '127.0.0.1', '--directory', join(dir, 'data'), '--driver-port', String(driverPort), '--cluster-port', '0'];
    const started = spawn(bin, [...args, '--no-http-admin', '--cache-size', String(cacheSizeMb), '--no-update-check'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    running.add(started);
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    void exited.then(() => running.delete(started));
    try {
      return await whenReady(started, readyTimeoutMs);
    } catch (error) {
      started.kill('SIGKILL');
      await exited;
      throw error;
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child?.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    child = undefined;
  };

  const port = await launch(0);
  return {
    url: `rethinkdb://127.0.0.1:${port}`,
    port,
    target: { kind: 'external', host: '127.0.0.1', port, user: 'admin', password: '' },
    dir,
    get pid() {
      return child?.pid;
    },
    kill,
    async restart() {
      await kill('SIGTERM');
      await launch(port);
    },
    tablesReady: () =>
      withConnection(port, async (connection) => {
        const names = (await r.dbList().run(connection)).filter((name) => name !== 'rethinkdb');
        for (const name of names) await r.db(name).wait({ waitFor: 'ready_for_writes' }).run(connection);
      }),
    changefeeds: () =>
      withConnection(port, async (connection) => {
        const jobs: { type: string; info: { query?: string } }[] = await r.db('rethinkdb').table('jobs').run(connection);
        return jobs.flatMap((job) => (job.type === 'query' && job.info.query?.includes('.changes(') ? [job.info.query] : []));
      }),
    clientConnections: () =>
      withConnection(port, async (connection) => {
        const stats: { query_engine: { client_connections: number } } = await r.db('rethinkdb').table('stats').get(['cluster']).run(connection);
        return stats.query_engine.client_connections - 1;
      }),
    async stop() {
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await kill('SIGTERM');
      clearTimeout(timer);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
