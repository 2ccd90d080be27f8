import type { Config } from './config.js';
import type { DataLayer, Loaders } from './db/index.js';
import type { SubscriptionHub } from './subscriptions/hub.js';

/** What every resolver receives. Built per request by the server's context factory. */
export interface Context {
  readonly config: Config;
  readonly data: DataLayer;
  /** Per-request DataLoaders (never shared between requests). */
  readonly loaders: Loaders;
  /** The changefeed hub shared by all requests (subscription resolvers go through it). */
  readonly subscriptions: SubscriptionHub;
}
