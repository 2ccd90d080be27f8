/**
 * Runs the writes to one document one after another when the database does not.
 *
 * RethinkDB applies every single-document write atomically: `replace(old => ...)` sees the
 * stored document and nobody else's write lands in between. reqlite does not: it evaluates the
 * write's function asynchronously between reading the document and storing it, so concurrent
 * writes to one document lose each other's changes (measured: 100 concurrent `score + 1`
 * updates, on one connection or on eight, end at +8 to +12). The embedded server is private to
 * one gateway process, so queueing its writes per document here makes them atomic again; on
 * RethinkDB the queue is off and atomicity is the database's, across every gateway replica.
 */
export interface WriteQueue {
  /** Runs `write` after every earlier write to the same `key` has settled (or at once when off). */
  run<T>(key: string, write: () => Promise<T>): Promise<T>;
}

/** No queueing: the database makes single-document writes atomic (RethinkDB). */
export const atomicInDatabase: WriteQueue = { run: (_key, write) => write() };

/** A queue per key; a key's entry is dropped as soon as its last write settles. */
export class PerDocumentWriteQueue implements WriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous ? previous.then(write) : write();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with writes queued or running (for tests: the map must not grow without bound). */
  get size(): number {
    return this.tails.size;
  }
}
