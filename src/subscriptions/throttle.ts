/** How a throttle folds a burst of items into one per key. */
export interface Coalescing<T> {
  /** Items with the same key are merged (for `changes`: the document; for `live`: one key). */
  keyOf(item: T): string;
  /** The one item that stands for `earlier` followed by `later`; undefined when they cancel out. */
  merge(earlier: T, later: T): T | undefined;
}

/**
 * Lets at most one item per key through per window of `windowMs`, like RethinkDB's `squash`.
 *
 * The first item after a quiet period goes out at once and opens a window; items arriving
 * while the window is open are merged per key and go out when it closes, which opens the next
 * window (so a key never gets two items within `windowMs`). A window that closes with nothing
 * pending ends the burst. `windowMs` 0 passes every item straight through.
 */
export class Throttle<T> {
  /** Per key: the merged item and when its latest part arrived. */
  private readonly pending = new Map<string, { item: T; arrival: number }>();
  private arrivals = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly coalescing: Coalescing<T>,
    private readonly emit: (item: T) => void,
  ) {}

  push(item: T): void {
    if (this.windowMs <= 0) return this.emit(item);
    if (!this.timer) {
      this.emit(item);
      this.openWindow();
      return;
    }
    const key = this.coalescing.keyOf(item);
    const earlier = this.pending.get(key);
    const arrival = ++this.arrivals;
    if (earlier === undefined) {
      this.pending.set(key, { item, arrival });
      return;
    }
    const merged = this.coalescing.merge(earlier.item, item);
    if (merged === undefined) this.pending.delete(key);
    else this.pending.set(key, { item: merged, arrival });
  }

  /** Sends what is pending now and stops the window. */
  flush(): void {
    const items = this.takePending();
    this.stop();
    items.forEach((item) => this.emit(item));
  }

  /** Drops what is pending and stops the window. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  /**
   * The pending items in the order their latest parts arrived, and clears them. Why that order:
   * an item carries the resume token of its latest part, so a client cut off halfway through a
   * window holds a token no later than any item it missed: a resume replays those items' parts.
   */
  private takePending(): T[] {
    const items = [...this.pending.values()].sort((a, b) => a.arrival - b.arrival).map((entry) => entry.item);
    this.pending.clear();
    return items;
  }

  private openWindow(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending.size === 0) return;
      const items = this.takePending();
      this.openWindow();
      items.forEach((item) => this.emit(item));
    }, this.windowMs);
  }
}
