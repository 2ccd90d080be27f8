import type { Document, RawChange } from '../db/index.js';
import { NotFound } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import { ReplayLog, type ReplayWindow } from './replay-log.js';
import type { ResumePosition } from './resume-token.js';
import type { Subscriber } from './subscriber.js';
import type { FeedListener } from './table-feed.js';

/** Changes buffered during one read beyond which the read is restarted (it will reflect them). */
const MAX_BUFFERED = 10_000;
/** Pause before retrying a snapshot read that failed while the feed stayed open. */
const READ_RETRY_MS = 500;

/**
 * One distinct live query (same table, filter, and for `live` order and limit) shared by all
 * its subscribers: every event is computed here once, then fanned out.
 *
 * Life cycle: whenever the table feed (re)opens, the query reads its state from the database
 * (`read`) while buffering the feed's changes, then hands both to `synced`, which compares the
 * fresh state with what subscribers last saw. A read can be restarted at any time (`sync`):
 * changes that arrived before a read started are in it, so only the ones buffered during the
 * read need replaying. A generation number makes answers of superseded reads harmless.
 *
 * Resume: every broadcast event is numbered in a replay log (bounded by count and age) and
 * carries its resume token. A subscriber that joins with a position still in the log gets the
 * events after it and READY, and is attached in the same synchronous step, so nothing can fall
 * between the replay and the live events. A lost feed starts a new epoch (changes may have been
 * missed), so older tokens RESET.
 */
export abstract class FeedQuery<Snapshot, Event> implements FeedListener {
  protected readonly subscribers = new Set<Subscriber<Event>>();
  /** True once the first read finished and subscribers were welcomed. */
  protected loaded = false;
  private generation = 0;
  /** Changes held while a read is in flight (or before the feed first opens). */
  private buffer: RawChange[] | undefined = [];
  private feedOpen = false;
  private retry?: NodeJS.Timeout;
  private closed = false;
  private failed = false;
  /** The numbered recent events; `replay.currentToken` is where a subscriber who saw everything stands. */
  protected readonly replay: ReplayLog<Event>;
  /** Welcome events made since the last event, per kind of welcome (see `sharedWelcome`). */
  private welcomes?: { token: string; byKind: Map<string, readonly Event[]> };

  constructor(
    /** The sharing key: equal keys mean the same events. */
    readonly key: string,
    /** The table feed's key ("db.table" as JSON). */
    readonly feedKey: string,
    protected readonly primaryKey: string,
    protected readonly log: Logger,
    replayWindow: ReplayWindow = { events: 0, maxAgeMs: 0 },
  ) {
    this.replay = new ReplayLog<Event>(key, replayWindow);
  }

  /** True once closed (its last subscriber left, or the hub closed). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** True once its feed failed for good (the table is gone): it must not take new subscribers. */
  get isFailed(): boolean {
    return this.failed;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Recent events kept for resuming subscribers. */
  get replaySize(): number {
    return this.replay.size;
  }

  /**
   * Adds a subscriber; once the state is known it gets its first events (INITIAL/READY, or the
   * current result). With `resumeFrom`, it gets the events after that position and READY when
   * they are all still kept, else it is marked `reset` and welcomed with RESET and the state.
   * Returns what became of the resume (undefined without `resumeFrom`).
   */
  join(subscriber: Subscriber<Event>, resumeFrom?: ResumePosition): 'replayed' | 'reset' | undefined {
    const missed = resumeFrom && this.loaded ? this.replay.since(resumeFrom) : undefined;
    const caughtUp = missed && this.caughtUp();
    this.subscribers.add(subscriber);
    if (missed && caughtUp) {
      subscriber.deliverUncounted([...missed, caughtUp]);
      return 'replayed';
    }
    if (resumeFrom) subscriber.reset = true;
    if (this.loaded) this.welcome(subscriber);
    return resumeFrom && 'reset';
  }

  /** Removes a subscriber; true when none is left (the hub then closes the query). */
  leave(subscriber: Subscriber<Event>): boolean {
    this.subscribers.delete(subscriber);
    return this.subscribers.size === 0;
  }

  /** Completes every subscriber (shutdown); resolves when their clients have seen the end. */
  completeAll(): Promise<void>[] {
    return [...this.subscribers].map((subscriber) => subscriber.complete());
  }

  /** Stops work in flight; the query is not used again. */
  close(): void {
    this.closed = true;
    this.generation++;
    this.buffer = undefined;
    clearTimeout(this.retry);
  }

  onFeedOpen(): void {
    if (this.closed) return;
    this.feedOpen = true;
    this.sync();
  }

  onFeedDown(): void {
    this.feedOpen = false;
    // Changes made while the feed is down are never seen one by one: older tokens must RESET.
    this.replay.restart();
    this.generation++;
    this.buffer = [];
    clearTimeout(this.retry);
  }

  onChange(change: RawChange): void {
    if (this.closed) return;
    if (!this.buffer) return this.apply(change);
    this.buffer.push(change);
    if (this.buffer.length > MAX_BUFFERED) this.sync();
  }

  onFeedFailed(error: Error): void {
    this.failed = true;
    for (const subscriber of [...this.subscribers]) void subscriber.fail(error);
  }

  /** Reads the state again; changes are buffered until it is in. */
  protected sync(): void {
    const generation = ++this.generation;
    this.buffer = [];
    clearTimeout(this.retry);
    this.read().then(
      (snapshot) => {
        if (generation !== this.generation) return;
        const buffered = this.buffer ?? [];
        this.buffer = undefined;
        this.synced(snapshot, buffered);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        if (error instanceof NotFound) return this.onFeedFailed(error);
        this.log.warn({ err: error }, 'reading the state of a live query failed; retrying');
        this.retry = setTimeout(() => {
          if (generation === this.generation && this.feedOpen) this.sync();
        }, READ_RETRY_MS);
      },
    );
  }

  /** Subscribers joining before the first read get welcomed here, in join order. */
  protected markLoaded(): void {
    if (this.loaded) return;
    this.loaded = true;
    for (const subscriber of this.subscribers) this.welcome(subscriber);
  }

  /**
   * The welcome events (`make()`) of this `kind` (e.g. with or without the INITIAL snapshot) for
   * the current position: every subscriber that joins before the next event gets the same
   * objects, so identical subscriptions share their execution (src/graphql/shared-execution.ts)
   * and no snapshot is copied per subscriber.
   */
  protected sharedWelcome(kind: string, make: () => Event[]): readonly Event[] {
    const token = this.replay.currentToken;
    if (this.welcomes?.token !== token) this.welcomes = { token, byKind: new Map() };
    let events = this.welcomes.byKind.get(kind);
    if (!events) this.welcomes.byKind.set(kind, (events = Object.freeze(make())));
    return events;
  }

  /** Numbers an event (built by `make` with its resume token) and keeps it for resumes, without sending it. */
  protected record(make: (resumeToken: string) => Event): Event {
    return this.replay.append(make);
  }

  /** Numbers an event (built by `make` with its resume token), keeps it for resumes and sends it to every subscriber. */
  protected broadcast(make: (resumeToken: string) => Event): Event {
    const event = this.replay.append(make);
    for (const subscriber of this.subscribers) subscriber.deliver(event);
    return event;
  }

  /** A document's identity in maps: its primary key as JSON (keys may be strings or numbers). */
  protected keyOf(doc: Document): string {
    return JSON.stringify(doc[this.primaryKey]);
  }

  protected changeKey(change: RawChange): string | undefined {
    const doc = change.new_val ?? change.old_val;
    return doc ? this.keyOf(doc) : undefined;
  }

  /** Reads the query's current state from the database. */
  protected abstract read(): Promise<Snapshot>;
  /** Takes a fresh state and the changes buffered while it was read. */
  protected abstract synced(snapshot: Snapshot, buffered: readonly RawChange[]): void;
  /** Applies one live change. */
  protected abstract apply(change: RawChange): void;
  /** Sends a subscriber what it needs to start (called once the state is known); RESET first when `subscriber.reset`. */
  protected abstract welcome(subscriber: Subscriber<Event>): void;
  /** The marker that ends a resume's replayed events (READY at the current position); undefined: this query does not replay, resuming resends the state. */
  protected abstract caughtUp(): Event | undefined;
}
