import type { Document, RawChange } from '../db/index.js';
import { matchesWhere, reqlEqual, type WhereNode } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { LiveResult } from './events.js';
import { FeedQuery } from './feed-query.js';
import { LiveWindow } from './live-window.js';
import { unreflected } from './resync.js';
import type { Subscriber } from './subscriber.js';

/** What a `live` query shows: the first `limit` documents matching `where` in a fixed order. */
export interface LiveSpec {
  readonly primaryKey: string;
  readonly where?: WhereNode;
  readonly limit: number;
  /** The order of the window; must equal the order `read` returns (see documentComparator). */
  readonly compare: (a: Document, b: Document) => number;
  /** Reads the first `limit` matching documents, in order. */
  readonly read: () => Promise<Document[]>;
}

/**
 * A `live` query (e.g. "top 10 players by score"): an ordered window kept in the gateway from
 * the shared table feed, re-read from the database only when a row leaves a full window (see
 * LiveWindow) and after a lost feed. Publishes the whole result whenever it changes.
 *
 * Why not `orderBy().limit().changes()`: reqlite rejects it (descending) or gets it wrong
 * (ascending); this is also correct on RethinkDB and needs no extra database feed.
 */
export class LiveQuery extends FeedQuery<Document[], LiveResult> {
  private readonly window: LiveWindow;
  private current?: LiveResult;

  constructor(key: string, feedKey: string, private readonly spec: LiveSpec, log: Logger) {
    super(key, feedKey, spec.primaryKey, log);
    const { where } = spec;
    this.window = new LiveWindow(spec.limit, spec.compare, (doc) => this.keyOf(doc), (doc) => !where || matchesWhere(where, doc));
  }

  protected read(): Promise<Document[]> {
    return this.spec.read();
  }

  protected synced(rows: Document[], buffered: readonly RawChange[]): void {
    this.window.reset(rows);
    const read = new Map(rows.map((doc) => [this.keyOf(doc), doc]));
    // Only rows inside the read window can be recognised as already reflected.
    const pending = unreflected(buffered, (change) => this.changeKey(change), (key, change) => {
      const doc = read.get(key);
      return doc !== undefined && change.new_val !== null && reqlEqual(doc, change.new_val);
    });
    for (const change of pending) {
      // A gap: read again. Every change so far happened before that read starts, so it is in it.
      if (this.window.apply(change) === 'refill') return this.sync();
    }
    this.publish();
  }

  protected apply(change: RawChange): void {
    const outcome = this.window.apply(change);
    if (outcome === 'refill') this.sync();
    else if (outcome === 'changed') this.publish();
  }

  protected welcome(subscriber: Subscriber<LiveResult>): void {
    if (this.current) subscriber.deliver(this.current);
  }

  private publish(): void {
    const rows = this.window.documents;
    if (this.current && sameRows(this.current.documents, rows)) return this.markLoaded();
    this.current = Object.freeze({ documents: Object.freeze([...rows]) });
    if (this.loaded) this.broadcast(this.current);
    else this.markLoaded();
  }


}

function sameRows(a: readonly Document[], b: readonly Document[]): boolean {
  return a.length === b.length && a.every((doc, i) => reqlEqual(doc, b[i]));
}
