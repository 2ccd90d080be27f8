import { describe, expect, it } from 'vitest';
import { uniqueTable } from './support/gateway.js';
import { subscribeWs, subscriptionSuite, type ChangesData } from './support/subscriptions.js';

// Shared results go to graphql-ws sockets as frames the gateway builds itself, websocket header
// included (src/graphql/shared-frames.ts). The three header forms (RFC 6455 §5.2: a payload
// length under 126 bytes, under 64 KiB, and beyond) must reach a real client intact, alongside
// the frames ws itself sends (connection_ack, READY through the same path, complete).
const suite = subscriptionSuite();

describe('shared frames on graphql-ws', () => {
  it('delivers frames of every header size intact, in order, to every subscriber', async () => {
    const table = uniqueTable('frames');
    await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
    const query = `subscription($t: String!) { changes(table: $t) { type new } }`;
    // Two sockets: the second subscriber takes the first one's shared result.
    const subscriptions = [0, 1].map(() => suite.track(subscribeWs<ChangesData>(suite.clients.open(suite.gw.app.url), query, { t: table })));
    for (const subscription of subscriptions) await subscription.until((data) => data.some((d) => d.changes.type === 'READY'), 'READY');
    // A frame of ~60 bytes, of ~300 bytes and of ~100 KiB (multi-byte text included).
    const texts = ['a', 'é'.repeat(120), 'x€'.repeat(35_000)];
    for (const [i, text] of texts.entries()) {
      await suite.gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: [{ id: `d${i}`, text }] });
    }
    for (const subscription of subscriptions) {
      await subscription.until((data) => data.filter((d) => d.changes.type === 'ADD').length === texts.length, 'three ADDs');
      const added = subscription.data.filter((d) => d.changes.type === 'ADD').map((d) => d.changes.new);
      expect(added).toEqual(texts.map((text, i) => ({ id: `d${i}`, text })));
      expect(subscription.results.every((result) => result.errors === undefined)).toBe(true);
    }
  });

  it('delivers every change of one database batch to every socket, in the same order', async () => {
    // One insert of many documents: RethinkDB hands its changes over in batches of tens, whose
    // frames a socket gets in one write (held until the end of the loop's turn); reqlite hands
    // over one change at a time. More sockets than are corked at once by the first event of a
    // turn (256: beyond, they are flushed as they go). Each subscriber sees every change, in feed order.
    const table = uniqueTable('batch');
    await suite.gw.ok(`mutation($t: String!) { createTable(table: $t) { name } }`, { t: table });
    const query = `subscription($t: String!) { changes(table: $t) { type new } }`;
    const subscriptions = Array.from({ length: 300 }, () => suite.track(subscribeWs<ChangesData>(suite.clients.open(suite.gw.app.url), query, { t: table })));
    for (const subscription of subscriptions) await subscription.until((data) => data.some((d) => d.changes.type === 'READY'), 'READY');
    const count = 40;
    const documents = Array.from({ length: count }, (_, i) => ({ id: `d${i}`, n: i }));
    await suite.gw.ok(`mutation($t: String!, $d: [JSONObject!]!) { insert(table: $t, documents: $d) { inserted } }`, { t: table, d: documents });
    const added: string[][] = [];
    for (const subscription of subscriptions) {
      await subscription.until((data) => data.filter((d) => d.changes.type === 'ADD').length === count, `${count} ADDs`);
      added.push(subscription.data.filter((d) => d.changes.type === 'ADD').map((d) => (d.changes.new as { id: string }).id));
    }
    expect(new Set(added[0])).toEqual(new Set(documents.map((doc) => doc.id)));
    for (const ids of added) expect(ids).toEqual(added[0]);
  });
});
