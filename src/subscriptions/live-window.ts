import type { Document, RawChange } from '../db/index.js';

/** What a change did to a window: nothing visible, changed it, or left a gap only the database can fill. */
export type WindowOutcome = 'unchanged' | 'changed' | 'refill';

/**
 * The first `limit` matching documents of a table in a fixed order, kept current from table
 * feed changes. The invariant after every outcome other than 'refill': `rows` is exactly what
 * `filter(where).orderBy(..).limit(limit)` returns now, and `complete` says whether it holds
 * every matching document (then nothing outside it can move in).
 *
 * Why a refill exists: when a row leaves a full window (deleted, moved down, filtered out) the
 * next row from outside takes its place, and only the database knows it. Everything else
 * (a row entering, moving within, or pushing the last row out) is decided here without a query.
 */
export class LiveWindow {
  private rows: Document[] = [];
  private complete = true;

  constructor(
    private readonly limit: number,
    private readonly compare: (a: Document, b: Document) => number,
    private readonly keyOf: (doc: Document) => string,
    private readonly matches: (doc: Document) => boolean,
  ) {}

  /** The window, best first. */
  get documents(): readonly Document[] {
    return this.rows;
  }

  /** Starts over from a fresh read of the first `limit` rows. */
  reset(rows: readonly Document[]): void {
    this.rows = rows.slice(0, this.limit);
    this.complete = rows.length < this.limit;
  }

  /** Applies one change; 'refill' means the window must be read again from the database. */
  apply(change: RawChange): WindowOutcome {
    const doc = change.new_val ?? change.old_val;
    if (!doc) return 'unchanged';
    const key = this.keyOf(doc);
    const next = change.new_val && this.matches(change.new_val) ? change.new_val : null;
    const index = this.rows.findIndex((row) => this.keyOf(row) === key);
    const previous = index >= 0 ? this.rows.splice(index, 1)[0] : undefined;
    // A row left a full window that does not hold every match: a slot is open.
    const gap = previous !== undefined && !this.complete;
    if (!next) return gap ? 'refill' : previous ? 'changed' : 'unchanged';
    const position = this.insertionPoint(next);
    if (gap) {
      // Every row outside sorts after the row's old value. Back in before the last known row,
      // or moved toward the front, the rows are again the first `limit` matches.
      if (position < this.rows.length || this.compare(next, previous) <= 0) {
        this.rows.splice(position, 0, next);
        return 'changed';
      }
      return 'refill';
    }
    if (position >= this.limit) {
      this.complete = false;
      return 'unchanged';
    }
    this.rows.splice(position, 0, next);
    if (this.rows.length > this.limit) {
      this.rows.pop();
      this.complete = false;
    }
    return 'changed';
  }

  /** Index of the first row that sorts after `doc` (binary search). */
  private insertionPoint(doc: Document): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.rows[middle] as Document, doc) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
