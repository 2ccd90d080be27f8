import type { Document } from '../db/index.js';
import type { LiveResult } from './events.js';
import type { Subscriber } from './subscriber.js';
import { sameRows, WindowQuery } from './window-query.js';

export type { LiveSpec } from './window-query.js';

/**
 * A `live` query: publishes the whole ordered window whenever it changes. Resuming needs no
 * replay: a resumed subscriber simply gets the current result (its first result is always whole).
 */
export class LiveQuery extends WindowQuery<LiveResult> {
  private current?: LiveResult;

  protected settled(rows: readonly Document[]): void {
    if (this.current && sameRows(this.current.documents, rows)) return this.markLoaded();
    const documents = Object.freeze(rows);
    if (this.loaded) {
      this.current = this.broadcast((resumeToken) => Object.freeze({ documents, resumeToken }));
    } else {
      this.current = this.record((resumeToken) => Object.freeze({ documents, resumeToken }));
      this.markLoaded();
    }
  }

  protected welcome(subscriber: Subscriber<LiveResult>): void {
    if (this.current) subscriber.deliver(this.current);
  }

  protected caughtUp(): undefined {
    return undefined;
  }
}
