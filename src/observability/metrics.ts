import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Distinct tables `feedEvents` labels; a database with more tables with feeds counts the rest as `other`. */
const MAX_TABLE_LABELS = 500;

/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own per app so that
 * several gateways in one process (tests) never share counters. Served at `GET /metrics`.
 */
export class Metrics {
  readonly registry = new Registry();

  /** GraphQL operations executed, by type (query/mutation/subscription) and name. */
  readonly operations = new Counter({
    name: 'rethinkql_graphql_operations_total',
    help: 'GraphQL operations executed, by operation type and name',
    labelNames: ['type', 'operation'] as const,
    registers: [this.registry],
  });

  readonly operationSeconds = new Histogram({
    name: 'rethinkql_graphql_operation_duration_seconds',
    help: 'Time to execute a GraphQL query or mutation (subscriptions: time to start)',
    labelNames: ['type', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Errors returned to clients, by `extensions.code`. */
  readonly errors = new Counter({
    name: 'rethinkql_graphql_errors_total',
    help: 'Errors returned to clients, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly connections = new Gauge({
    name: 'rethinkql_active_connections',
    help: 'Open client connections: TCP sockets (tcp) and graphql-ws sessions (graphql-ws)',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly databaseSeconds = new Histogram({
    name: 'rethinkql_database_round_trip_seconds',
    help: 'Round trip of one query to RethinkDB',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  /** Hosts the pool gave up on (connection lost); their queries and feeds moved to another host. */
  readonly dbFailovers = new Counter({
    name: 'rethinkql_db_failovers_total',
    help: 'Database hosts given up by the pool (connection lost); queries and feeds moved to another host',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });

  readonly loaderBatchSize = new Histogram({
    name: 'rethinkql_dataloader_batch_size',
    help: 'Ids fetched per DataLoader batch (one database query each)',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });

  /** 1 for each rethinkdb-ts internal this driver version lacks, whose slower public-API fallback is in use (db/driver-internals.ts). */
  readonly driverFallback = new Gauge({
    name: 'rethinkql_driver_fallback',
    help: 'Driver internals missing from this rethinkdb-ts version (1: the public-API fallback is in use)',
    labelNames: ['feature'] as const,
    registers: [this.registry],
  });

  /** Where the subscription gauges are read from at scrape time (see observeSubscriptions). */
  private subscriptionStats = () => ({ subscribers: 0, feeds: 0 });

  readonly subscriptions: Gauge = new Gauge({
    name: 'rethinkql_active_subscriptions',
    help: 'Active GraphQL subscriptions',
    registers: [this.registry],
    collect: () => this.subscriptions.set(this.subscriptionStats().subscribers),
  });

  readonly feeds: Gauge = new Gauge({
    name: 'rethinkql_active_feeds',
    help: 'Open RethinkDB changefeeds',
    registers: [this.registry],
    collect: () => this.feeds.set(this.subscriptionStats().feeds),
  });

  readonly feedReconnects = new Counter({
    name: 'rethinkql_feed_reconnects_total',
    help: 'Changefeeds reopened after the database connection dropped',
    registers: [this.registry],
  });

  readonly resumes = new Counter({
    name: 'rethinkql_subscription_resumes_total',
    help: 'Subscriptions started with a resume token: replayed (the missed events were sent) or reset (RESET and the current state)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Events handed to subscribers so far, copied into `eventsDelivered` at each scrape (see `delivered`). */
  private deliveredCount = 0;

  readonly eventsDelivered: Counter = new Counter({
    name: 'rethinkql_subscription_events_delivered_total',
    help: 'Subscription events handed to subscribers',
    registers: [this.registry],
    collect: () => {
      this.eventsDelivered.reset();
      this.eventsDelivered.inc(this.deliveredCount);
    },
  });

  /** GraphQL executions of subscription events: one per event per cohort of identical subscriptions (src/graphql/shared-execution.ts). */
  readonly eventExecutions = new Counter({
    name: 'rethinkql_subscription_event_executions_total',
    help: 'GraphQL executions of subscription events (identical subscriptions share one per event)',
    registers: [this.registry],
  });

  /** Operations refused by trusted documents: an unknown id, or a document of its own from a role that may not send one. */
  readonly trustedDocumentRefusals = new Counter({
    name: 'rethinkql_trusted_document_refusals_total',
    help: 'Operations refused by trusted documents, by reason (unknown_id, document_not_allowed) and transport (http, graphql-ws)',
    labelNames: ['reason', 'transport'] as const,
    registers: [this.registry],
  });

  readonly trustedDocuments = new Gauge({
    name: 'rethinkql_trusted_documents',
    help: 'Trusted documents loaded (TRUSTED_DOCUMENTS)',
    registers: [this.registry],
  });

  readonly trustedDocumentReloads = new Counter({
    name: 'rethinkql_trusted_document_reloads_total',
    help: 'Reloads of the trusted documents after their files changed, by outcome (ok; error: the previous documents stay in force)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Changes counted per table label by `feedEventCounter`'s incrementers, copied into `feedEvents` at each scrape. */
  private readonly feedEventCounts = new Map<string, { count: number }>();

  /** Changes each table feed brought, by "db.table" (at most MAX_TABLE_LABELS tables, then `other`). */
  readonly feedEvents: Counter<'table'> = new Counter({
    name: 'rethinkql_feed_events_total',
    help: 'Changes received from the database changefeeds, by table (db.table)',
    labelNames: ['table'] as const,
    registers: [this.registry],
    collect: () => {
      this.feedEvents.reset();
      for (const [table, { count }] of this.feedEventCounts) this.feedEvents.inc({ table }, count);
    },
  });

  /** Observed each time events are queued for a subscriber: how many then wait (0: the client keeps up). */
  readonly subscriberQueueDepth = new PlainHistogram(
    'rethinkql_subscriber_queue_depth',
    'Events waiting in a subscriber queue, observed each time events are queued for it (a growing tail: slow clients)',
    [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'rethinkql_' });
    // prom-client reads a registered metric only through its name, get() and reset() (registry.js);
    // its Metric type asks for the whole class.
    this.registry.registerMetric(this.subscriberQueueDepth as unknown as Histogram);
  }

  /**
   * Counts `count` events handed to one subscriber, after which `queueDepth` wait in its queue:
   * called for every event and subscriber, so plain arithmetic, read at scrape time (prom-client's
   * `inc` and `observe` hash their labels on every call).
   */
  delivered(count: number, queueDepth: number): void {
    this.deliveredCount += count;
    this.subscriberQueueDepth.observe(queueDepth);
  }

  /**
   * The incrementer of `feedEvents` for one table feed ("db.table"): a plain addition per change
   * (prom-client's `inc` validates and hashes its labels on every call, even on a `labels()`
   * child), summed into the counter at scrape time. Tables beyond MAX_TABLE_LABELS share `other`.
   */
  feedEventCounter(table: string): () => void {
    const label = this.feedEventCounts.has(table) || this.feedEventCounts.size < MAX_TABLE_LABELS ? table : 'other';
    let cell = this.feedEventCounts.get(label);
    if (!cell) this.feedEventCounts.set(label, (cell = { count: 0 }));
    const counted = cell;
    return () => {
      counted.count++;
    };
  }

  /** Reads the subscription and feed gauges from `stats` at every scrape. */
  observeSubscriptions(stats: () => { subscribers: number; feeds: number }): void {
    this.subscriptionStats = stats;
  }
}

/** One line of a histogram as prom-client formats it. */
interface HistogramValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A histogram without labels, fed by plain arithmetic and read by prom-client at scrape time:
 * `get()` returns what prom-client's own Histogram returns (cumulative `_bucket` values by `le`,
 * `_sum`, `_count`).
 */
class PlainHistogram {
  /** Observations per bucket (not cumulative), the last one for values above every bound. */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const { upperBounds } = this;
    let bucket = 0;
    while (bucket < upperBounds.length && value > (upperBounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count++;
  }

  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramValue[] } {
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    const values: HistogramValue[] = this.upperBounds.map((le, i) => ({ labels: { le }, value: (cumulative += this.counts[i] as number), metricName: bucket }));
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: bucket });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` }, { labels: {}, value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
