import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
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
