import type { Document, RawChange } from '../db/index.js';
import { matchesWhere } from '../filter/evaluate.js';
import { reqlEqual } from '../filter/order.js';
import type { WhereNode } from '../filter/ast.js';
import type { Logger } from '../observability/logger.js';
import { CHANGES_RESET, changesReady, type ChangeEvent } from './events.js';
import { dispatchKeyOf, type DispatchKey } from './dispatch-key.js';
import { FeedQuery } from './feed-query.js';
import type { ReplayWindow } from './replay-log.js';
import { unreflected } from './resync.js';
import type { Subscriber } from './subscriber.js';

/** What a `changes` query watches: one table, optionally some primary keys, optionally a filter. */
export interface ChangesSpec {
  readonly primaryKey: string;
  readonly where?: WhereNode;
  /** Primary keys (a GraphQL ID and, for numeric ids, its number twin). */
  readonly keys?: readonly (string | number)[];
  /** Reads every matching document now. */
  readonly read: () => Promise<Document[]>;
}

/**
 * A `changes` query. It keeps the matching documents as subscribers last saw them (by primary
 * key) and types every table change against that state, so a document moving into the filter
 * is an ADD and one moving out a REMOVE, and a resync after a lost feed is a diff of that state
 * against a fresh read (ADD/CHANGE/REMOVE for exactly what changed while the feed was down).
 * Memory: one reference per matching document (the documents themselves are the feed's).
 */
export class ChangesQuery extends FeedQuery<Document[], ChangeEvent> {
  private state = new Map<string, Document>();

  /** Only changes of the watched ids, or of documents with the value the filter pins, reach this query. */
  readonly dispatchKey: DispatchKey | undefined;

  constructor(key: string, feedKey: string, private readonly spec: ChangesSpec, log: Logger, replayWindow?: ReplayWindow) {
    super(key, feedKey, spec.primaryKey, log, replayWindow);
    this.dispatchKey = dispatchKeyOf(spec.primaryKey, spec.where, spec.keys);
  }

  protected read(): Promise<Document[]> {
    return this.spec.read();
  }

  protected synced(snapshot: Document[], buffered: readonly RawChange[]): void {
    const fresh = new Map(snapshot.map((doc) => [this.keyOf(doc), doc]));
    if (this.loaded) {
      for (const [key, doc] of fresh) {
        const seen = this.state.get(key);
        if (!seen) this.emit('ADD', null, doc);
        else if (!reqlEqual(seen, doc)) this.emit('CHANGE', seen, doc);
      }
      for (const [key, seen] of this.state) if (!fresh.has(key)) this.emit('REMOVE', seen, null);
      this.state = fresh;
    } else {
      this.state = fresh;
      this.markLoaded();
    }
    const pending = unreflected(buffered, (change) => this.changeKey(change), (key, change) => sameOrBothNull(fresh.get(key), this.matching(change.new_val)));
    pending.forEach((change) => this.apply(change));
  }

  protected apply(change: RawChange): void {
    const key = this.changeKey(change);
    if (key === undefined) return;
    const seen = this.state.get(key) ?? null;
    const next = this.matching(change.new_val);
    if (!seen && !next) return;
    if (seen && next && reqlEqual(seen, next)) return;
    if (next) this.state.set(key, next);
    else this.state.delete(key);
    this.emit(!seen ? 'ADD' : !next ? 'REMOVE' : 'CHANGE', seen, next);
  }

  protected welcome(subscriber: Subscriber<ChangeEvent>): void {
    const initial = subscriber.includeInitial || subscriber.reset;
    const kind = `${subscriber.reset ? 'reset' : ''}${initial ? 'initial' : ''}`;
    subscriber.deliverUncounted(
      this.sharedWelcome(kind, () => {
        const events: ChangeEvent[] = subscriber.reset ? [CHANGES_RESET] : [];
        if (initial) for (const doc of this.state.values()) events.push(Object.freeze({ type: 'INITIAL', id: this.idOf(doc), old: null, new: doc, resumeToken: null }));
        events.push(this.caughtUp());
        return events;
      }),
    );
  }

  protected caughtUp(): ChangeEvent {
    return this.sharedWelcome('ready', () => [changesReady(this.replay.currentToken)])[0] as ChangeEvent;
  }

  private emit(type: ChangeEvent['type'], old: Document | null, next: Document | null): void {
    const doc = (next ?? old) as Document;
    const id = this.idOf(doc);
    this.broadcast((resumeToken) => Object.freeze({ type, id, old, new: next, resumeToken }));
  }

  /** The document if it exists and this query watches it, else null. */
  private matching(doc: Document | null): Document | null {
    if (!doc) return null;
    const { keys, where, primaryKey } = this.spec;
    if (keys && !keys.includes(doc[primaryKey] as string | number)) return null;
    return !where || matchesWhere(where, doc) ? doc : null;
  }

  private idOf(doc: Document): string | number {
    return doc[this.spec.primaryKey] as string | number;
  }
}

function sameOrBothNull(a: Document | undefined, b: Document | null): boolean {
  return a === undefined ? b === null : b !== null && reqlEqual(a, b);
}
