import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, testDb, type TestGateway } from './support/gateway.js';
import { subscribeWs, WsClients } from './support/subscriptions.js';

// deploy/grafana/rethinkql-dashboard.json is only useful if every series it queries is one the
// gateway exports: a real gateway serves some traffic, its /metrics is scraped, and every metric
// name in the dashboard's expressions must be there.

interface Target {
  expr?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
  datasource?: { uid?: string };
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query?: string } }[] };
}

const dashboard = JSON.parse(await readFile(new URL('../deploy/grafana/rethinkql-dashboard.json', import.meta.url), 'utf8')) as Dashboard;

/** Every panel, rows' nested ones included. */
function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every PromQL expression of the dashboard: its panels' and its template variables' queries. */
function expressions(): string[] {
  const panels = allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
  const variables = dashboard.templating.list.map((variable) => (typeof variable.query === 'object' ? (variable.query.query ?? '') : '')).filter(Boolean);
  return [...panels, ...variables];
}

/**
 * The series names a scrape exports, by its `# TYPE` lines (a labelled counter nothing has
 * incremented yet exports no sample, only its HELP and TYPE): a histogram as its _bucket, _sum
 * and _count series, a summary as itself plus _sum and _count.
 */
function exportedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (name === undefined) continue;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** The sum of the samples of `name` whose labels contain `labels` (e.g. `table="test.players"`). */
function total(scrape: string, name: string, labels = ''): number {
  return scrape
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('the Grafana dashboard (deploy/grafana)', () => {
  let gw: TestGateway;
  let scrape: string;
  const clients = new WsClients();

  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
    // Some traffic of every kind the dashboard shows: named queries, a mutation, a live
    // subscription fed by the players table's changefeed, an error.
    await gw.ok('query Leaders { query(table: "players", limit: 3) }');
    await gw.gql('query Broken { document(table: "no_such_table", id: "x") }');
    const client = clients.open(gw.app.url);
    const live = subscribeWs<{ changes: { type: string } }>(client, 'subscription Watch { changes(table: "players") { type } }');
    await live.until((data) => data.some((event) => event.changes.type === 'READY'), 'READY');
    await gw.ok('mutation Bump { update(table: "players", id: "p1", inc: { score: 1 }) }');
    await live.until((data) => data.some((event) => event.changes.type === 'CHANGE'), 'the change');
    live.stop();
    scrape = await (await fetch(`http://127.0.0.1:${gw.app.port}/metrics`)).text();
  });
  afterAll(async () => {
    await clients.closeAll();
    await gw?.close();
  });

  it('queries only metrics the gateway exports', () => {
    const exported = exportedNames(scrape);
    const referenced = new Set(expressions().flatMap((expr) => expr.match(/\brethinkql_[a-z0-9_]+/g) ?? []));
    expect(referenced.size).toBeGreaterThan(15);
    expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('shows what operators ask, from series the traffic filled: feed events per table, queue depths, slowest operations, failovers', () => {
    expect(total(scrape, 'rethinkql_feed_events_total', `table="${testDb}.players"`)).toBeGreaterThanOrEqual(1);
    expect(total(scrape, 'rethinkql_subscriber_queue_depth_count')).toBeGreaterThanOrEqual(1);
    expect(total(scrape, 'rethinkql_graphql_operation_duration_seconds_count', 'operation="Leaders"')).toBe(1);
    const referenced = expressions().join('\n');
    for (const name of ['rethinkql_feed_events_total', 'rethinkql_subscriber_queue_depth_bucket', 'rethinkql_subscription_resumes_total', 'rethinkql_db_failovers_total', 'rethinkql_graphql_operation_duration_seconds_bucket']) {
      expect(referenced).toContain(name);
    }
  });

  it('is a well-formed dashboard: unique panel ids, every panel queries the chosen datasource, every expression filters by the chosen gateways', () => {
    const panels = allPanels(dashboard.panels);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    for (const expr of expressions().filter((e) => !e.startsWith('label_values'))) {
      expect(expr).toContain('instance=~"$instance"');
      // Brackets balance (a typo Grafana would only show as a red panel).
      for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) expect(expr.split(open).length, expr).toBe(expr.split(close).length);
    }
  });
});
