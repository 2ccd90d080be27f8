import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '../src/db/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const leftovers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((item) => item.close()));
});

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(probe: () => Promise<T>, until: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (until(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('starts while the database is unreachable, reports not ready, and connects once it appears', async () => {
  const port = await closedPort();
  // The embedded server started below takes only this credential (as the gateway's own does).
  const password = 'readiness-test-credential';
  const gw: TestGateway = await startTestGateway({
    database: { kind: 'external', host: '127.0.0.1', port, user: 'admin', password },
    dbWaitMs: 200,
  });
  leftovers.push(gw);
  const ready = () => fetch(`http://127.0.0.1:${gw.app.port}/ready`).then(async (r) => ({ status: r.status, body: await r.json() }));

  // Until the database is read, the schema is the generic API alone (version 0).
  expect(await ready()).toEqual({ status: 503, body: { ready: false, database: 'unreachable', schema: { version: 0, builtAt: expect.any(String), typedTables: 0, skippedTables: 0 } } });
  const down = await gw.gql('{ databases }');
  expect(down.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
  expect(down.errors?.[0]?.message).toContain(`127.0.0.1:${port}`);

  let database: EmbeddedServer = await startEmbeddedServer({ port, password });
  leftovers.push({ close: () => database.stop() });
  await waitFor(ready, (r) => r.status === 200, 'the gateway to become ready');
  // The default database is created once the server is reachable.
  const data = await waitFor(() => gw.gql<{ databases: string[] }>('{ databases }'), (r) => r.data?.databases.includes('test') ?? false, 'the default db');
  expect(data.errors).toBeUndefined();
  // The schema is rebuilt from the database once it is reachable.
  await waitFor(ready, (r) => (r.body as { schema: { version: number } }).schema.version >= 1, 'the schema built from the database');

  // The database goes away: not ready; it comes back: ready again, without a restart.
  await database.stop();
  await waitFor(ready, (r) => r.status === 503, 'the gateway to notice the database is gone');
  database = await startEmbeddedServer({ port, password });
  await waitFor(ready, (r) => r.status === 200, 'the gateway to reconnect');
  // reqlite came back empty: the gateway recreated its default database on reconnecting.
  await waitFor(() => gw.gql<{ databases: string[] }>('{ databases }'), (r) => r.data?.databases.includes('test') ?? false, 'the default db again');
});

// dbWaitMs of ten minutes: a query that waited for the database would outlive the test's timeout,
// so an answer proves whether it waited (no wall-clock figure asserted).
const TEN_MINUTES = 600_000;

it('before the first connection a query waits for the database, and is answered once it appears', async () => {
  const port = await closedPort();
  const password = 'waiting-test-credential';
  const gw = await startTestGateway({ database: { kind: 'external', host: '127.0.0.1', port, user: 'admin', password }, dbWaitMs: TEN_MINUTES });
  leftovers.push(gw);
  const pending = gw.gql<{ databases: string[] }>('{ databases }');
  const database = await startEmbeddedServer({ port, password });
  leftovers.push({ close: () => database.stop() });
  const answer = await pending;
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.databases).toEqual(expect.any(Array));
});

it('once connected and then lost, queries fail at once with UNAVAILABLE instead of waiting dbWaitMs', async () => {
  const database = await startEmbeddedServer();
  let stopped = false;
  leftovers.push({ close: async () => void (stopped || (await database.stop())) });
  const gw = await startTestGateway({
    database: { kind: 'external', host: database.host, port: database.port, user: database.user, password: database.password },
    dbWaitMs: TEN_MINUTES,
  });
  leftovers.push(gw);
  await gw.app.whenPrepared();
  expect((await gw.gql('{ databases }')).errors).toBeUndefined();

  await database.stop();
  stopped = true;
  const ready = () => fetch(`http://127.0.0.1:${gw.app.port}/ready`).then((r) => r.status);
  await waitFor(ready, (status) => status === 503, 'the gateway to notice the database is gone');
  const down = await gw.gql('{ databases }');
  expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  expect(down.errors?.[0]?.message).toContain(`the database at ${database.host}:${database.port} is down`);
});
