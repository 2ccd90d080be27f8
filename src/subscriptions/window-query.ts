import type { Document, RawChange } from '../db/index.js';
import { matchesWhere } from '../filter/evaluate.js';
import { reqlEqual } from '../filter/order.js';
import type { WhereNode } from '../filter/ast.js';
import type { Logger } from '../observability/logger.js';
import { dispatchKeyOf, type DispatchKey } from './dispatch-key.js';
import { FeedQuery } from './feed-query.js';
import { LiveWindow } from './live-window.js';
import type { ReplayWindow } from './replay-log.js';
import { unreflected } from './resync.js';

/** What a window query shows: the first `limit` documents matching `where` in a fixed order. */
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
 * An ordered window query (e.g. "top 10 players by score"), kept in the gateway from the shared
 * table feed, re-read from the database only when a row leaves a full window (see LiveWindow)
 * and after a lost feed. Subclasses decide what subscribers get when the window settles: the
 * whole result (`live`) or the deltas (`liveChanges`).
 *
 * Why not `orderBy().limit().changes()`: reqlite rejects it (descending) or gets it wrong
 * (ascending); this is also correct on RethinkDB and needs no extra database feed.
 */
export abstract class WindowQuery<Event> extends FeedQuery<Document[], Event> {
  private readonly window: LiveWindow;

  /** Only changes of documents with the value the filter pins (if it pins one) reach this query. */
  readonly dispatchKey: DispatchKey | undefined;

  constructor(key: string, feedKey: string, private readonly spec: LiveSpec, log: Logger, replayWindow?: ReplayWindow) {
    super(key, feedKey, spec.primaryKey, log, replayWindow);
    this.dispatchKey = dispatchKeyOf(spec.primaryKey, spec.where);
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
    this.settled([...this.window.documents]);
  }

  protected apply(change: RawChange): void {
    const outcome = this.window.apply(change);
    if (outcome === 'refill') this.sync();
    else if (outcome === 'changed') this.settled([...this.window.documents]);
  }

  /** The window is known and current (a copy): tell subscribers what changed; welcome waiting ones (markLoaded). */
  protected abstract settled(rows: readonly Document[]): void;
}

/** Same rows, same values, same order. */
export function sameRows(a: readonly Document[], b: readonly Document[]): boolean {
  return a.length === b.length && a.every((doc, i) => reqlEqual(doc, b[i]));
}
