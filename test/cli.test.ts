import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../src/db/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started: ChildProcess[] = [];
const databases: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(databases.splice(0).map((database) => database.stop()));
});

/** Runs the real CLI entry (src/main.ts through tsx), as `npm start` does after its build. */
function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => ({ stdout, stderr });
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (match) resolve(match);
      };
      child.stdout?.on('data', check);
      child.on('exit', () => reject(new Error(`exited before printing ${pattern}: ${stdout}${stderr}`)));
      check();
    });
  return { child, exited, output, line };
}

describe('the rethinkql command', () => {
  it('prints every option for --help and exits 0', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    for (const option of ['--port', '--rethinkdb-url', '--db', '--max-limit', 'RETHINKDB_URL', 'ReDB_HOST', '--ws-port', 'WS_PORT', 'ReDB_AUDIT_DB']) {
      expect(cli.output().stdout).toContain(option);
    }
  });

  it('prints the package version for --version and exits 0', async () => {
    const cli = runCli(['--version']);
    expect(await cli.exited).toBe(0);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(cli.output().stdout).toBe(`rethinkql ${version}\n`);
  });

  it('answers an unknown option with one line naming it, the nearest option and where --help is, and exits 2', async () => {
    const cli = runCli(['--prot', '4000']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toEqual({
      stdout: '',
      stderr: "rethinkql: Unknown option '--prot' (did you mean --port?); `rethinkql --help` (or `npm start -- --help`) lists every option\n",
    });
  });

  it('says it waits for an unreachable database, and prints ready only once the database is there', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const password = 'cli-test-credential';
    const cli = runCli([], { PORT: '0', WS_PORT: 'off', RETHINKDB_URL: `rethinkdb://admin:${password}@127.0.0.1:${port}` });
    await cli.line(new RegExp(`rethinkql: listening at http://\\S+; waiting for the database at 127\\.0\\.0\\.1:${port}`));
    expect(cli.output().stdout).not.toContain('rethinkql ready');
    databases.push(await startEmbeddedServer({ port, password }));
    await cli.line(/rethinkql ready: http:\/\/\S+/);
    // The demo is off on an external database, and so is its page.
    expect(cli.output().stdout).not.toContain('/demo');
  });

  it('refuses a bad RETHINKDB_URL with a clear message, not a stack trace', async () => {
    const cli = runCli([], { RETHINKDB_URL: 'postgres://db:5432' });
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toBe('rethinkql: RETHINKDB_URL must start with rethinkdb:// (got "postgres://")\n');
  });

  it('starts on the embedded database, warns that data is in memory, serves GraphQL, and exits 0 on SIGTERM', async () => {
    // WS_PORT=0: the legacy RDM listener's default port is fixed (8765); tests only use free ports.
    const cli = runCli([], { PORT: '0', WS_PORT: '0' });
    const [, url] = await cli.line(/rethinkql ready: (http:\/\/\S+)/);
    const [, legacy] = await cli.line(/legacy RDM listener: ws:\/\/(\S+)\/<operation>/);
    const [, demo] = await cli.line(/demo page \(a live leaderboard\): (http:\/\/\S+)/);
    expect(demo).toBe(new URL('/demo', String(url)).href);
    expect((await fetch(String(demo).replace('localhost', '127.0.0.1'))).status).toBe(200);
    expect(await (await fetch(`http://${legacy}/health`)).text()).toBe('Server Up and Running!\n');
    expect(cli.output().stderr + cli.output().stdout).toContain('data is lost when the gateway stops');
    const response = await fetch(String(url).replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ databases }' }),
    });
    expect(await response.json()).toEqual({ data: { databases: ['test'] } });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // Off a terminal, logs are JSON: one object per line, with a level and a message.
    const logs = cli.output().stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
  });
});
