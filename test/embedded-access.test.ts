import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { r, type Connection } from 'rethinkdb-ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/db/index.js';
import { realServer, startTestGateway, type TestGateway } from './support/gateway.js';

// Only the gateway may use its embedded database: reqlite itself takes user `admin` with any
// password and runs r.js with `require` in reach, so any local process could run code as the
// gateway's user and bypass every permission. These tests talk to the embedded server with a
// raw driver connection, as such a process would. (The embedded server is started directly, so
// they mean the same on both backends; the gateway case needs the gateway's own embedded server.)

const leftovers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of leftovers.splice(0).reverse()) await close();
});

async function embedded(): Promise<EmbeddedServer> {
  const server = await startEmbeddedServer();
  leftovers.push(() => server.stop());
  return server;
}

async function connect(server: EmbeddedServer, credentials: { user?: string; password?: string }): Promise<Connection> {
  const connection = await r.connect({ server: { host: server.host, port: server.port }, ...credentials, silent: true });
  leftovers.push(() => connection.close());
  return connection;
}

describe('the embedded database', () => {
  it('refuses a connection without the credential, or with a wrong one', async () => {
    const server = await embedded();
    expect(server.password.length).toBeGreaterThanOrEqual(16);
    await expect(connect(server, {})).rejects.toThrow(/wrong password/i);
    await expect(connect(server, { user: 'admin', password: '' })).rejects.toThrow(/wrong password/i);
    await expect(connect(server, { user: 'admin', password: `${server.password}x` })).rejects.toThrow(/wrong password/i);
    await expect(connect(server, { user: 'someone', password: server.password })).rejects.toThrow(/wrong password/i);
  });

  it('serves a connection with the credential', async () => {
    const server = await embedded();
    const connection = await connect(server, { user: server.user, password: server.password });
    expect(await r.expr([1, 2, 3]).count().run(connection)).toBe(3);
    await r.dbCreate('access').run(connection);
    expect(await r.dbList().run(connection)).toContain('access');
  });

  it('refuses r.js and r.http even with the credential, and runs none of it', async () => {
    const server = await embedded();
    const connection = await connect(server, { user: server.user, password: server.password });
    const dir = mkdtempSync(join(tmpdir(), 'rethinkql-js-'));
    leftovers.push(() => rmSync(dir, { recursive: true, force: true }));
    const marker = join(dir, 'ran');
    const code = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); 1`;
    await expect(r.js(code).run(connection)).rejects.toThrow(/r\.js is refused/);
    // Nested in a function the server evaluates per row: refused all the same.
    await expect(r.expr([1, 2]).map(() => r.js(code)).run(connection)).rejects.toThrow(/r\.js is refused/);
    await expect(r.http('http://127.0.0.1:9/').run(connection)).rejects.toThrow(/r\.http is refused/);
    expect(existsSync(marker)).toBe(false);
    // The connection is still usable after a refusal.
    expect(await r.expr(1).add(1).run(connection)).toBe(2);
  });

  it('answers a malformed handshake with an error and closes', async () => {
    const server = await embedded();
    const { Socket } = await import('node:net');
    const socket = new Socket();
    leftovers.push(() => socket.destroy());
    const closed = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    socket.connect(server.port, server.host);
    // A V1_0 magic number followed by a message that is not JSON.
    socket.write(Buffer.from([0xc3, 0xbd, 0xc2, 0x34]));
    socket.write('{not json\0');
    const reply = await closed;
    expect(reply).toContain('"success":false');
    expect(reply).toContain('Malformed handshake message');
  });
});

describe.skipIf(realServer !== undefined)('the gateway on its embedded database (only meaningful on reqlite)', () => {
  it('connects with the credential it handed to its server, which refuses everyone else', async () => {
    const gw: TestGateway = await startTestGateway();
    leftovers.push(() => gw.close());
    const server = gw.app.embedded as EmbeddedServer;
    expect((await gw.ok<{ databases: string[] }>('{ databases }')).databases).toContain('test');
    await expect(connect(server, { user: 'admin', password: '' })).rejects.toThrow(/wrong password/i);
    expect(gw.database.password).toBe(server.password);
  });
});
