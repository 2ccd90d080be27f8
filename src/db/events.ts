import { r, type RDatum } from 'rethinkdb-ts';
import type { Catalog } from './catalog.js';
import type { Document } from './document-types.js';
import type { Documents } from './documents.js';
import { EnsuredTable } from './ensured-table.js';
import type { ConnectionPool } from './pool.js';
import { tableTerm } from './terms.js';

/** How long and how many channel events are kept. */
export interface Retention {
  /** Events older than this are deleted. */
  readonly maxAgeMs: number;
  /** Beyond this many events, the oldest are deleted. */
  readonly maxCount: number;
}

/**
 * The channel events table: `{id, channel, data, publishedAt, publisher}` rows. The gateway
 * writes `publishedAt` as an ISO-8601 string (so it sorts and compares as text on every
 * backend); rows inserted by other programs without one are stamped at the next prune.
 */
export class EventStore {
  readonly table: EnsuredTable;

  constructor(
    private readonly pool: ConnectionPool,
    catalog: Catalog,
    private readonly documents: Documents,
    db: string,
    table: string,
    onCreated?: () => void,
  ) {
    this.table = new EnsuredTable(catalog, db, table, onCreated);
  }

  /** Stores one event and returns the stored row (with its generated id). */
  async append(event: { channel: string; data: unknown; publisher: string | null }, now = new Date()): Promise<Document> {
    const { db, table } = this.table;
    const row = { channel: event.channel, data: event.data, publishedAt: now.toISOString(), publisher: event.publisher };
    const written = await this.table.use(() => this.documents.insert(db, table, [row]));
    return written.documents[0] ?? row;
  }

  /**
   * The stored events of `channel` after the event `afterId`, oldest first (by publishedAt, then
   * id), at most `limit` of them; undefined when `afterId` is not stored (pruned, or never was).
   */
  async after(channel: string, afterId: string, limit: number): Promise<Document[] | undefined> {
    const anchor = await this.stored(channel, afterId);
    if (!anchor) return undefined;
    const { db, table } = this.table;
    const at = anchor.publishedAt;
    const where = { and: [{ channel }, { or: [{ publishedAt: { gt: at } }, { publishedAt: at, id: { gt: anchor.id } }] }] };
    return this.documents.list({ db, table, where, orderBy: [{ field: 'publishedAt', direction: 'ASC' }, { field: 'id', direction: 'ASC' }], limit });
  }

  /** The stored event `id` of `channel` (with its text publishedAt), or undefined when it is not stored. */
  async stored(channel: string, id: string): Promise<(Document & { publishedAt: string }) | undefined> {
    const { db, table } = this.table;
    if (!(await this.table.exists())) return undefined;
    const [event] = await this.documents.getMany(db, table, [id]);
    if (!event || event.channel !== channel || typeof event.publishedAt !== 'string') return undefined;
    return event as Document & { publishedAt: string };
  }

  /**
   * Enforces the retention: stamps rows without a text `publishedAt` with `now` (inserted by
   * another program), deletes rows older than maxAge, then the oldest beyond maxCount.
   * Idempotent, so every replica may run it. Returns how many rows were deleted. A missing
   * table is left missing (created on first use, not by the retention timer).
   */
  async prune({ maxAgeMs, maxCount }: Retention, now = new Date()): Promise<number> {
    const { db, table } = this.table;
    if (!(await this.table.exists())) return 0;
    const t = tableTerm(db, table);
    await this.pool.run(t.filter((row: RDatum) => publishedAt(row).typeOf().ne('STRING')).update({ publishedAt: now.toISOString() }));
    const cutoff = new Date(now.getTime() - maxAgeMs).toISOString();
    const expired = await this.pool.run(t.filter((row: RDatum) => row('publishedAt').lt(cutoff)).delete());
    let deleted = expired.deleted;
    const count = await this.pool.run(t.count());
    if (count > maxCount) {
      // Newest first, ties broken by id, so every replica agrees on which rows are the oldest.
      const overflow = await this.pool.run(t.orderBy(r.desc('publishedAt'), r.desc('id')).skip(maxCount).delete());
      deleted += overflow.deleted;
    }
    return deleted;
  }
}

/** The row's `publishedAt`, or null when it has none. */
function publishedAt(row: RDatum): RDatum {
  return r.branch(row.hasFields('publishedAt'), row('publishedAt'), null);
}
