import { integer, settings, storageName } from '../setting.js';

/** Where channel events (publish/subscribe) are kept, and for how long. */
export const CHANNELS = settings({
  /** Created when missing. */
  eventsDb: {
    arg: '<name>',
    parse: storageName('database'),
    fallback: 'rethinkql',
    help: ['database of the channel events table {env} (default {default})'],
  },
  eventsTable: {
    arg: '<name>',
    parse: storageName('table'),
    fallback: 'events',
    help: ['channel events table, created if missing {env}', '(default {default})'],
  },
  eventsMaxAge: {
    arg: '<s>',
    parse: integer(1, 10 * 365 * 86_400),
    fallback: 86_400,
    help: ['delete channel events older than this {env}', '(default {default})'],
  },
  eventsMaxCount: {
    arg: '<n>',
    parse: integer(1, 10_000_000),
    fallback: 10_000,
    help: ['keep at most this many channel events {env}', '(default {default})'],
  },
  eventsPruneIntervalMs: {
    arg: '<ms>',
    parse: integer(0, 86_400_000),
    fallback: 60_000,
    help: ['how often retention is enforced, 0 = never', '{env} (default {default})'],
  },
});
