import { r, type Connection } from 'rethinkdb-ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { subscribeWs, subscriptionSuite } from './support/subscriptions.js';

// The schema follows tables created and dropped outside the gateway (polling the table list
// every 50 ms here), and subscriptions opened before a rebuild keep working after it.
const suite = subscriptionSuite({ schemaRefreshMs: 50 });
let connection: Connection;

beforeAll(async () => {
  const { host, port, user, password } = suite.gw.database;
  connection = await r.connect({ server: { host, port }, user, password });
});
afterAll(() => connection?.close());

interface Ready {
  schema: { version: number; tables: readonly string[] };
}
// The served schema's status (/ready gives only counts, test/readiness.test.ts).
const readiness = (): Promise<Ready> => Promise.resolve({ schema: suite.gw.app.schema.status() });

describe('schema refresh', () => {
  it('adds the typed fields of tables created through the gateway or directly with the driver and drops them when dropped, without a restart; open subscriptions keep working', async () => {
    const db = suite.gw.dbs.default;
    await suite.gw.ok(`mutation { createTable(table: "widgets") { name } insert(table: "widgets", documents: [{ id: "w1", size: 1 }]) { inserted } }`);
    // A table created through the gateway appears by itself...
    await vi.waitFor(async () => expect((await readiness()).schema.tables).toEqual(['widgets']), { timeout: 10_000, interval: 50 });
    // ...but the poll may have sampled it before its first document: an explicit refresh reads it now.
    await suite.gw.app.schema.refresh();
    expect((await suite.gw.ok<{ widgets: unknown[] }>(`{ widgets { id size } }`)).widgets).toEqual([{ id: 'w1', size: 1 }]);
    const { version } = (await readiness()).schema;

    // A typed subscription opened on the current schema, over graphql-ws.
    const client = suite.clients.open(suite.gw.app.url);
    const widgets = suite.track(subscribeWs<{ widgetChanges: { type: string; id: string | null; new: { size: number | null } | null } }>(
      client,
      `subscription { widgetChanges { type id new { size } } }`,
    ));
    await widgets.until((data) => data.some((d) => d.widgetChanges.type === 'READY'), 'READY');

    // On RethinkDB a table created with the driver is not ready at once: the poll may meet it
    // before it can be read (its reads are retried, or it is tried again at the next poll).
    await r.db(db).tableCreate('gizmos').run(connection);
    await r.db(db).table('gizmos').insert({ id: 'g1', label: 'first', weight: 2.5 }).run(connection);
    await vi.waitFor(async () => expect((await suite.gw.gql<{ gizmos: unknown[] }>(`{ gizmos { id } }`)).data?.gizmos).toHaveLength(1), { timeout: 10_000, interval: 50 });
    // As above, the poll may have sampled it before its first document: refresh to read it now.
    await suite.gw.app.schema.refresh();
    expect((await suite.gw.ok<{ gizmos: unknown[] }>(`{ gizmos { id label weight } }`)).gizmos).toEqual([{ id: 'g1', label: 'first', weight: 2.5 }]);
    const rebuilt = (await readiness()).schema;
    expect(rebuilt.tables).toEqual(['gizmos', 'widgets']);
    expect(rebuilt.version).toBeGreaterThan(version);

    // New graphql-ws operations on the same socket see the new schema.
    const gizmos = suite.track(subscribeWs<{ gizmoChanges: { type: string; id: string | null } }>(client, `subscription { gizmoChanges { type id } }`));
    await gizmos.until((data) => data.some((d) => d.gizmoChanges.type === 'READY'), 'READY on the new table');
    await suite.gw.ok(`mutation { insertGizmo(document: { id: "g2", label: "second" }) { id } insertWidget(document: { id: "w2", size: 2 }) { id } }`);
    await gizmos.until((data) => data.some((d) => d.gizmoChanges.id === 'g2'), 'the new gizmo');
    // The subscription from before the rebuild still delivers.
    await widgets.until((data) => data.some((d) => d.widgetChanges.id === 'w2'), 'the new widget');
    expect(widgets.data.map((d) => d.widgetChanges).at(-1)).toEqual({ type: 'ADD', id: 'w2', new: { size: 2 } });
    widgets.stop();
    gizmos.stop();

    await r.db(db).tableDrop('gizmos').run(connection);
    await vi.waitFor(
      async () => {
        const result = await suite.gw.gql(`{ gizmos { id } }`);
        expect(result.errors?.[0]?.message).toMatch(/Cannot query field "gizmos"/);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await readiness()).schema.tables).toEqual(['widgets']);
  });
});
