import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingDriverInternals } from '../src/db/driver-internals.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// The gateway's get-by-id and write-coalescing fast paths reach past rethinkdb-ts's public API
// (src/db/driver-internals.ts). The driver is pinned; this fails when an upgrade moves an internal,
// so the upgrade is made knowingly instead of silently running the slower fallback.
describe('rethinkdb-ts internals', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('are all present in the pinned driver version: no fallback engaged, none reported in /metrics', async () => {
    const connection = await gateway.app.data.pool.connect();
    try {
      expect(missingDriverInternals(connection)).toEqual([]);
    } finally {
      await connection.close();
    }
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.app.port}/metrics`)).text();
    expect(metrics).toContain('# TYPE rethinkql_driver_fallback gauge');
    expect(metrics).not.toMatch(/^rethinkql_driver_fallback\{/m);
  });

  it('are reported missing on a connection of another shape, each naming its fallback', () => {
    const foreign = {} as Parameters<typeof missingDriverInternals>[0];
    expect(missingDriverInternals(foreign)).toEqual(['socket-cork', 'wire-query']);
  });
});
