import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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

  readonly eventsDelivered = new Counter({
    name: 'rethinkql_subscription_events_delivered_total',
    help: 'Subscription events handed to subscribers',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'rethinkql_' });
  }

  /** Reads the subscription and feed gauges from `stats` at every scrape. */
  observeSubscriptions(stats: () => { subscribers: number; feeds: number }): void {
    this.subscriptionStats = stats;
  }
}
