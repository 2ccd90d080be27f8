import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

describe('GraphQL over HTTP spec audits (graphql-http)', () => {
  for (const audit of serverAudits({ url: () => `http://127.0.0.1:${gw.app.port}/graphql` })) {
    // MUST audits have to pass; SHOULD/MAY ones are recommendations and are reported, not enforced.
    it(audit.name, async () => {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) expect(result).toMatchObject({ status: 'ok' });
    });
  }
});

describe('HTTP endpoints around GraphQL', () => {
  it('serves GraphiQL to a browser on the GraphQL path', async () => {
    const response = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<title>rethinkql</title>');
    // Served from the npm package, not a CDN: no script or stylesheet comes from another host.
    expect(page.match(/<(script|link)\b[^>]*\b(src|href)=["']?https?:/g) ?? []).toEqual([]);
  });

  it('answers /health and /ready as JSON', async () => {
    const health = await fetch(`http://127.0.0.1:${gw.app.port}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${gw.app.port}/ready`);
    expect(ready.status).toBe(200);
    // The schema served: built once the database was read (version 1), no tables yet.
    expect(await ready.json()).toEqual({ ready: true, database: 'reachable', schema: { version: 1, builtAt: expect.any(String), typedTables: 0, skippedTables: 0 } });
  });

  it('refuses a body over the size limit with 413 before reading it', async () => {
    const small = await startTestGateway({ maxBodyBytes: 2048 });
    try {
      const response = await fetch(`http://127.0.0.1:${small.app.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ databases } # ${'x'.repeat(4096)}` }),
      });
      expect(response.status).toBe(413);
      expect(JSON.stringify(await response.json())).toContain('exceeds the limit of 2048');
    } finally {
      await small.close();
    }
  });
});
