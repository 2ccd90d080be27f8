import { request, type IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { uniqueTable } from './support/gateway.js';
import { subscriptionSuite } from './support/subscriptions.js';

// A client that stops reading an SSE stream must hit the same bounded per-subscriber queue as
// over graphql-ws: the gateway pulls an event from the queue only when the bytes already waiting
// on the response have drained, so the queue is what fills, and `changes` ends with
// SUBSCRIBER_TOO_SLOW instead of the gateway buffering every event in memory.

const QUEUE = 8;
const suite = subscriptionSuite({ subscriberQueueSize: QUEUE });

const big = 'x'.repeat(64 * 1024);
/** Most updates a test writes: far more than the socket buffers and the queue hold (~50 MB of events). */
const MAX_UPDATES = 396; // 66 mutations of 6

type Result = { errors?: { extensions?: { code?: string } }[]; data?: { live?: { documents: { v: number }[] } } };

interface RawSse {
  response: IncomingMessage;
  /** Stops reading: the socket is paused, so TCP backpressure reaches the gateway. */
  pause(): void;
  /** Reads on until `until(results)` holds or the stream ends; resolves with the SSE `next` payloads so far. */
  read(until?: (results: Result[]) => boolean): Promise<Result[]>;
}

/** A plain node:http client on a POSTed SSE subscription: no fetch, no buffering of its own. */
function rawSse(port: number, query: string, variables: Record<string, unknown>): Promise<RawSse> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) } });
    req.on('error', reject);
    req.on('response', (response) => {
      response.setEncoding('utf8');
      let text = '';
      const results: Result[] = [];
      let check = (): void => undefined;
      response.on('data', (chunk: string) => {
        text += chunk;
        let boundary: number;
        while ((boundary = text.indexOf('\n\n')) >= 0) {
          const lines = text.slice(0, boundary).split('\n');
          text = text.slice(boundary + 2);
          const data = lines.find((line) => line.startsWith('data: '));
          if (lines.includes('event: next') && data) results.push(JSON.parse(data.slice(6)) as Result);
        }
        check();
      });
      const ended = new Promise<void>((done) => response.on('end', done).on('close', done));
      // Not flowing until read() is called: nothing is consumed while the test writes.
      response.pause();
      resolve({
        response,
        pause() {
          response.pause();
          response.socket.pause();
        },
        read(until = () => false) {
          const enough = new Promise<void>((done) => {
            check = () => {
              if (until(results)) done();
            };
          });
          response.socket.resume();
          response.resume();
          return Promise.race([ended, enough]).then(() => results);
        },
      });
    });
    req.end(body);
  });
}

async function bigTable(): Promise<string> {
  const table = uniqueTable('ssebp');
  await suite.gw.ok('mutation($t: String!) { createTable(table: $t) { name } }', { t: table });
  await suite.gw.ok('mutation($t: String!, $big: String!) { insert(table: $t, documents: [{ id: "a", v: 0, big: $big }]) { inserted } }', { t: table, big });
  return table;
}

/** Writes updates of one 64 KiB document (128 KiB per event: old and new) until `enough()` or MAX_UPDATES; returns how many. */
async function writeUntil(table: string, enough: () => boolean): Promise<number> {
  let written = 0;
  while (written < MAX_UPDATES && !enough()) {
    const updates = Array.from({ length: 6 }, (_, i) => `u${i}: update(table: $t, id: "a", patch: { v: ${written + i + 1}, big: $big })`);
    await suite.gw.ok(`mutation($t: String!, $big: String!) { ${updates.join('\n')} }`, { t: table, big });
    written += 6;
  }
  return written;
}

describe('an SSE client that stops reading', () => {
  it('on changes: is ended with SUBSCRIBER_TOO_SLOW once its queue is full, instead of being buffered without bound', async () => {
    const table = await bigTable();
    const sse = await rawSse(suite.gw.app.port, 'subscription($t: String!) { changes(table: $t) { type id new } }', { t: table });
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1));
    sse.pause();

    const written = await writeUntil(table, () => suite.gw.app.subscriptions.stats().subscribers === 0);
    // The hub let go of the subscriber while the client still read nothing: the gateway no
    // longer holds its events (before the fix it held all of them, the subscriber never ended).
    expect(suite.gw.app.subscriptions.stats().subscribers).toBe(0);
    expect(written).toBeLessThan(MAX_UPDATES);

    const results = await sse.read();
    expect(results.at(-1)?.errors?.[0]?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
    // What reached the client is what the socket buffers held plus the queue, not every event.
    expect(results.length).toBeLessThan(written);
  });

  it('on live: skips to the newest result and stays subscribed', async () => {
    const table = await bigTable();
    const sse = await rawSse(suite.gw.app.port, 'subscription($t: String!) { live(table: $t, orderBy: [{ field: "v" }], limit: 1) { documents } }', { t: table });
    await vi.waitFor(() => expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1));
    sse.pause();
    const written = await writeUntil(table, () => false);
    expect(written).toBe(MAX_UPDATES);
    expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1);
    const results = await sse.read((got) => got.at(-1)?.data?.live?.documents[0]?.v === written);
    expect(results.at(-1)?.data?.live?.documents[0]?.v).toBe(written);
    expect(suite.gw.app.subscriptions.stats().subscribers).toBe(1);
    // Results skipped while it did not read: it got far fewer than were written, never an error.
    expect(results.length).toBeLessThan(written);
    expect(results.every((result) => !result.errors)).toBe(true);
    sse.response.destroy();
  });
});
