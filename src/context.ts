import type { Config } from './config.js';
import type { DataLayer, Loaders } from './db/index.js';
import type { RdmTranslator } from './rdm/translator.js';

/** What every resolver receives. Built per request by the server's context factory. */
export interface Context {
  readonly config: Config;
  readonly data: DataLayer;
  /** Per-request DataLoaders (never shared between requests). */
  readonly loaders: Loaders;
  /** The RDM translator behind the `rdm` compatibility field (shared by every request). */
  readonly rdm: RdmTranslator;
}
