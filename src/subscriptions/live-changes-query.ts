import type { Document } from '../db/index.js';
import { reqlEqual } from '../filter/order.js';
import type { LiveChange } from './events.js';
import type { Subscriber } from './subscriber.js';
import { diffWindow } from './window-diff.js';
import { WindowQuery } from './window-query.js';

/**
 * A `liveChanges` query: the same ordered window as `live`, but subscribers get the rows once
 * (INITIAL with their index, then READY) and afterwards only positioned deltas (ADD, REMOVE,
 * MOVE, CHANGE) computed once per settled window from the previous one. Applying them in order
 * to an array always yields what `live` sends. Deltas are kept in the replay log, so a
 * subscriber can resume exactly; a RESET is followed by the rows as INITIAL, then READY.
 */
export class LiveChangesQuery extends WindowQuery<LiveChange> {
  private shown: readonly Document[] = [];

  protected settled(rows: readonly Document[]): void {
    if (!this.loaded) {
      this.shown = rows;
      return this.markLoaded();
    }
    for (const delta of diffWindow(this.shown, rows, (doc) => this.keyOf(doc), reqlEqual)) {
      const { type, doc, index, oldIndex } = delta;
      const id = this.idOf(doc);
      const next = type === 'REMOVE' ? null : doc;
      this.broadcast((resumeToken) => Object.freeze({ type, id, index, oldIndex, new: next, resumeToken }));
    }
    this.shown = rows;
  }

  protected welcome(subscriber: Subscriber<LiveChange>): void {
    subscriber.deliverUncounted(
      this.sharedWelcome(subscriber.reset ? 'reset' : 'rows', () => {
        const events: LiveChange[] = subscriber.reset ? [Object.freeze({ type: 'RESET', id: null, index: null, oldIndex: null, new: null, resumeToken: null })] : [];
        this.shown.forEach((doc, index) => events.push(Object.freeze({ type: 'INITIAL', id: this.idOf(doc), index, oldIndex: null, new: doc, resumeToken: null })));
        events.push(this.caughtUp());
        return events;
      }),
    );
  }

  protected caughtUp(): LiveChange {
    return this.sharedWelcome('ready', () => [Object.freeze({ type: 'READY', id: null, index: null, oldIndex: null, new: null, resumeToken: this.replay.currentToken })])[0] as LiveChange;
  }

  private idOf(doc: Document): string | number {
    return doc[this.primaryKey] as string | number;
  }
}
