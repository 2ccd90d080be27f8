import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, it } from 'vitest';
import { dropDatabases, realServer, uniqueDatabase } from './support/gateway.js';
import { subscribeSse, subscribeWs, WsClients } from './support/subscriptions.js';

type ChangesData = { changes: { type: string } };

const root = fileURLToPath(new URL('..', import.meta.url));
const clients = new WsClients();
let child: ChildProcess | undefined;
afterEach(async () => {
  await clients.closeAll();
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// On a real server (RETHINKDB_URL, which the CLI inherits) the CLI gets databases of this file's
// own, dropped at the end, so that the suite can run again on the same server; the embedded
// reqlite it starts otherwise is fresh each time.
const own = realServer ? { RETHINKDB_DB: uniqueDatabase(), EVENTS_DB: uniqueDatabase(), RDM_AUDIT_DB: uniqueDatabase() } : {};
afterAll(async () => {
  if (realServer) await dropDatabases(realServer, Object.values(own));
});

/** Starts the real CLI (`rethinkql` from source) on a free port; resolves with its GraphQL URL. */
async function startCli(): Promise<{ url: string; exited: Promise<number | null> }> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...own, PORT: '0', WS_PORT: 'off', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = process_;
  const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    process_.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /rethinkql ready: (\S+)/.exec(out);
      if (ready?.[1]) resolve(ready[1]);
    });
    void exited.then((code) => reject(new Error(`rethinkql exited with ${code} before it was ready: ${out}`)));
  });
  return { url, exited };
}

async function post(url: string, query: string): Promise<void> {
  const response = await fetch(url.replace('localhost', '127.0.0.1'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

it('on SIGTERM completes every subscription (graphql-ws complete + close 1001, SSE complete), then exits 0', async () => {
  const { url, exited } = await startCli();
  await post(url, 'mutation { createTable(table: "shutdown") { name } }');
  const query = 'subscription { changes(table: "shutdown") { type } }';
  const client = clients.open(url);
  const ws = subscribeWs<ChangesData>(client, query);
  const live = subscribeWs(client, 'subscription { live(table: "shutdown", orderBy: [], limit: 5) { documents } }');
  const sse = subscribeSse<ChangesData>(url, query);
  await ws.until((data) => data.length === 1);
  await live.until((data) => data.length === 1);
  await sse.until((data) => data.length === 1);

  child?.kill('SIGTERM');
  await Promise.all([ws.ended, live.ended, sse.ended]);
  for (const subscription of [ws, live, sse]) {
    expect(subscription.completed).toBe(true);
    expect(subscription.failure).toBeUndefined();
    expect(subscription.results.every((result) => !result.errors)).toBe(true);
  }
  expect(await exited).toBe(0);
  expect(client.closes).toEqual([1001]);
});

/** Reads the non-blocking `fd` until `pattern` matches what came (or the child exits); returns the match. */
async function readUntil(fd: number, pattern: RegExp, exited: () => boolean): Promise<string> {
  const buffer = Buffer.alloc(65_536);
  let out = '';
  for (;;) {
    const match = pattern.exec(out);
    if (match?.[1]) return match[1];
    if (exited()) throw new Error(`rethinkql exited before it was ready: ${out}`);
    try {
      out += buffer.toString('utf8', 0, readSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await sleep(50);
    }
  }
}

it('exits on SIGTERM even when nobody reads its log pipe any more', async () => {
  // A named pipe whose reader we hold open but stop reading once the gateway is ready: nothing
  // else can drain it (a child's 'pipe' stdio is read by Node itself).
  const dir = mkdtempSync(join(tmpdir(), 'rethinkql-shutdown-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const writer = openSync(fifo, constants.O_WRONLY);
    const process_ = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...own, PORT: '0', WS_PORT: 'off', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
      stdio: ['ignore', writer, 'inherit'],
    });
    closeSync(writer);
    child = process_;
    const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
    const url = await readUntil(reader, /rethinkql ready: (\S+)/, () => process_.exitCode !== null || process_.signalCode !== null);
    // At debug every request through yoga logs ~300 bytes: far more than the pipe holds (64 KB).
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(url.replace('localhost', '127.0.0.1'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ missing${i} }` }),
      });
      await response.arrayBuffer();
    }
    process_.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    closeSync(reader);
    rmSync(dir, { recursive: true, force: true });
  }
});
