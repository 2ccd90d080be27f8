import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/**
 * A reqlite server running in a child process, listening on 127.0.0.1 only, that accepts only
 * `user`/`password` (a random credential handed over IPC, never on the command line) and refuses
 * r.js and r.http.
 */
export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The credential connections must present; keep it out of logs. */
  readonly password: string;
  /** The child's process id (tests use it to kill or freeze the database). */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after `graceMs`). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const childScript = fileURLToPath(new URL('../../bin/reqlite-loopback.cjs', import.meta.url));

interface ListeningMessage {
  type: 'listening';
  host: string;
  port: number;
  user: string;
}

function isListeningMessage(value: unknown): value is ListeningMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  return message.type === 'listening' && typeof message.host === 'string' && typeof message.port === 'number' && typeof message.user === 'string';
}

/**
 * Starts reqlite (an in-memory RethinkDB server written in JavaScript) as a child process, so
 * the database does not share the gateway's event loop. Resolves once it listens.
 * @param port 0 (default) lets the OS pick a free port; a fixed port is for restarting a
 *   database at the same address in tests.
 * @param timeoutMs how long to wait for it to listen (default 10 s).
 * @param password the credential to require (default: 24 random bytes); pass the old server's to
 *   restart a database that running clients reconnect to.
 */
export async function startEmbeddedServer({ port = 0, timeoutMs = 10_000, password = randomBytes(24).toString('base64url') } = {}): Promise<EmbeddedServer> {
  const child = fork(childScript, ['--port', String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ type: 'credential', password });
  const address = await new Promise<ListeningMessage>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`embedded database did not start within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`embedded database exited before listening (code ${code}, signal ${signal})`)));
    child.on('message', (message) => {
      if (!isListeningMessage(message)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve(message);
    });
  });
  // Not waiting on the child keeps a crashed gateway from being held open by it; the child
  // exits by itself when the IPC channel closes.
  child.channel?.unref();
  child.unref();
  return {
    host: address.host,
    port: address.port,
    user: address.user,
    password,
    pid: child.pid ?? -1,
    stop: (graceMs = 2_000) => stopChild(child, graceMs),
  };
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
