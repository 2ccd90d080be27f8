import { encodeResumeToken, newEpoch, queryHash, type ResumePosition } from './resume-token.js';

/** How much of its past a query keeps for clients that resume. */
export interface ReplayWindow {
  /** Most events kept; 0 turns resume off (every resume is a RESET). */
  readonly events: number;
  /** Oldest event kept, in milliseconds. */
  readonly maxAgeMs: number;
}

interface Entry<E> {
  readonly seq: number;
  readonly at: number;
  readonly event: E;
}

/**
 * One query's recent events, numbered, for subscribers that come back with a resume token.
 * Bounded by count and age. `restart()` starts a new epoch (after a lost feed events may be
 * missing, so older tokens must not resume). Memory: one entry per kept event; the event's
 * documents are shared with the query's state while they are current.
 */
export class ReplayLog<E> {
  private readonly query: string;
  private epoch = newEpoch();
  private seq = 0;
  private entries: Entry<E>[] = [];
  private head = 0;

  constructor(
    key: string,
    private readonly window: ReplayWindow,
    private readonly now: () => number = Date.now,
  ) {
    this.query = queryHash(key);
  }

  /** The token of the newest position (what a subscriber who saw everything holds). */
  get currentToken(): string {
    return this.tokenOf(this.seq);
  }

  /** Events kept right now. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Numbers the next event; `make` builds it with its token. Returns the event. */
  append(make: (token: string) => E): E {
    this.seq += 1;
    const event = make(this.tokenOf(this.seq));
    if (this.window.events > 0) {
      this.entries.push({ seq: this.seq, at: this.now(), event });
      this.trim();
    }
    return event;
  }

  /**
   * The events after `position`, oldest first, when every one of them is still kept and the
   * position is from this log's epoch; undefined when the subscriber must RESET instead.
   */
  since(position: ResumePosition): E[] | undefined {
    this.trim();
    if (position.epoch !== this.epoch || position.query !== this.query || position.seq > this.seq) return undefined;
    if (position.seq === this.seq) return [];
    const first = this.entries[this.head];
    // Every event after `position.seq` must be kept: the oldest kept one is at most the next.
    if (!first || first.seq > position.seq + 1) return undefined;
    return this.entries.slice(this.head + (position.seq + 1 - first.seq)).map((entry) => entry.event);
  }

  /** Forgets everything and starts a new epoch: older tokens will RESET. */
  restart(): void {
    this.epoch = newEpoch();
    this.seq = 0;
    this.entries = [];
    this.head = 0;
  }

  private tokenOf(seq: number): string {
    return encodeResumeToken({ epoch: this.epoch, query: this.query, seq });
  }

  private trim(): void {
    const oldest = this.now() - this.window.maxAgeMs;
    while (this.head < this.entries.length && (this.entries.length - this.head > this.window.events || (this.entries[this.head] as Entry<E>).at < oldest)) this.head += 1;
    // Compact now and then, so dropping the oldest stays O(1) amortised.
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
