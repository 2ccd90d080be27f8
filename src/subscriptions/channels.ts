import { filter, map, pipe, Repeater } from 'graphql-yoga';
import type { Document, EventStore, Retention } from '../db/index.js';
import { BadInput, Forbidden } from '../errors/domain.js';
import { mayPublish, maySubscribe, type ChannelCaller, type ChannelRules } from './channel-rules.js';
import type { Logger } from '../observability/logger.js';
import type { ChangeEvent, Payload } from './events.js';
import type { SubscriptionHub } from './hub.js';

/** One event of a channel, as subscribers receive it. */
export interface ChannelEvent {
  readonly id: string;
  readonly channel: string;
  readonly data: unknown;
  /** ISO-8601. */
  readonly publishedAt: string;
  /** Who published it: the caller's user id, else its role (`admin` without authentication); null for direct inserts that name nobody. */
  readonly publisher: string | null;
}

export interface ChannelsOptions {
  store: EventStore;
  hub: SubscriptionHub;
  retention: Retention;
  /** How often the retention is enforced; 0 turns the timer off (prune() still works). */
  pruneIntervalMs: number;
  /** Stored events read per query when a subscriber resumes (at most the data layer's max limit). */
  replayPageSize: number;
  log: Logger;
}

const CHANNEL_NAME = /^[\w.:/@-]{1,200}$/;

/** The name, checked: 1 to 200 letters, digits and `_ . : / @ -` (e.g. `chat:lobby`, `user/42`). */
export function checkChannelName(name: string): string {
  if (!CHANNEL_NAME.test(name)) {
    throw new BadInput(`invalid channel name ${JSON.stringify(name.slice(0, 80))}: use 1 to 200 letters, digits and _ . : / @ -`, { channel: name.slice(0, 80) });
  }
  return name;
}

/**
 * Publish/subscribe channels. The events table is the bus: publishing inserts a row, and
 * subscribers get the rows of their channel from the table's changefeed through the hub (one
 * shared query per channel, one database feed for the table). So events published by any
 * replica, or inserted into the table by another program, reach every subscriber everywhere,
 * and no broker is needed beside the database.
 */
export class Channels {
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<number> | undefined;

  constructor(private readonly options: ChannelsOptions) {}

  /** Starts enforcing the retention every `pruneIntervalMs` (and once now). */
  start(): void {
    if (this.options.pruneIntervalMs <= 0 || this.timer) return;
    const run = () => {
      this.prune().catch((error: unknown) => this.options.log.warn({ err: error }, 'could not prune the channel events table'));
    };
    this.timer = setInterval(run, this.options.pruneIntervalMs).unref();
    run();
  }

  /**
   * Stores the event as published by `caller` (its user id, else its role, is the publisher);
   * subscribers of the channel get it through the changefeed. Forbidden unless `rules` let the
   * caller's role publish there.
   */
  async publish(channel: string, data: unknown, caller: ChannelCaller, rules: ChannelRules): Promise<ChannelEvent> {
    checkChannelName(channel);
    if (!mayPublish(rules, caller, channel)) throw new Forbidden(`role "${caller.role}" may not publish on channel "${channel}"`, { channel });
    if (data === undefined) throw new BadInput('publish needs data (any JSON value)');
    return eventOf(await this.options.store.append({ channel, data, publisher: caller.userId ?? caller.role }));
  }

  /**
   * The events published on `channel` from now on; with `after` (the id of the last event the
   * client got), first the stored events after that one, oldest first, with none lost or
   * repeated between the stored and the live ones. An `after` that is no longer stored (pruned
   * by the retention) is refused with BadInput: the client missed events it cannot get back.
   * Forbidden unless `rules` let the caller subscribe (fanout: anyone; topic: member roles;
   * direct: the user the channel is named after).
   */
  async subscribe(channel: string, after: string | null | undefined, caller: ChannelCaller, rules: ChannelRules): Promise<AsyncIterableIterator<Payload<ChannelEvent>>> {
    checkChannelName(channel);
    // The same answer whether the channel has events or not: a refusal reveals nothing.
    if (!maySubscribe(rules, caller, channel)) throw new Forbidden(`role "${caller.role}" may not subscribe to channel "${channel}"`, { channel });
    const { store, hub } = this.options;
    await store.table.ensure();
    if (after !== undefined && after !== null && !(await store.stored(channel, after))) {
      throw new BadInput(`event ${JSON.stringify(after)} of channel "${channel}" is no longer stored (retention); subscribe without after`, { after });
    }
    const changes = await hub.changes({ db: store.table.db, table: store.table.table, where: { channel: { eq: channel } } });
    // Only arrivals are deliveries: a CHANGE is the retention stamping a row, a REMOVE its pruning.
    const arrivals = pipe(
      changes,
      filter((payload: Payload<ChangeEvent>) => payload instanceof Error || payload.type === 'ADD' || payload.type === 'READY'),
      map((payload: Payload<ChangeEvent>) => (payload instanceof Error ? payload : payload.type === 'READY' ? READY_MARK : eventOf(payload.new ?? {}))),
    );
    return after === undefined || after === null ? pipe(arrivals, filter(isDelivery)) : this.replayThenLive(arrivals, channel, after);
  }

  /**
   * Once the feed is live (its READY), reads the stored events after `after` page by page and
   * sends them, then the live ones it has not sent yet: an event stored while the history was
   * read arrives live too, and is sent once.
   */
  private replayThenLive(arrivals: AsyncIterable<Payload<ChannelEvent> | typeof READY_MARK>, channel: string, after: string): AsyncIterableIterator<Payload<ChannelEvent>> {
    const { store, replayPageSize } = this.options;
    return new Repeater<Payload<ChannelEvent>>(async (push, stop) => {
      const iterator = arrivals[Symbol.asyncIterator]();
      void stop.then(() => iterator.return?.());
      const replayed = new Set<string>();
      let live = false;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const payload = next.value;
        if (payload === READY_MARK) {
          if (live) continue;
          live = true;
          let anchor = after;
          for (;;) {
            const page = await store.after(channel, anchor, replayPageSize);
            if (!page) {
              await push(new BadInput(`event ${JSON.stringify(anchor)} of channel "${channel}" was pruned while it was replayed; subscribe again`, { after: anchor }));
              return stop();
            }
            for (const row of page) {
              const event = eventOf(row);
              replayed.add(event.id);
              await push(event);
            }
            const last = page.at(-1);
            if (page.length < replayPageSize || !last) break;
            anchor = String(last.id);
          }
        } else if (payload instanceof Error || !replayed.has(payload.id)) {
          await push(payload);
        }
      }
      stop();
    });
  }

  /** Enforces the retention now; concurrent calls share one run. Returns how many events were deleted. */
  prune(): Promise<number> {
    this.pruning ??= this.options.store.prune(this.options.retention).finally(() => {
      this.pruning = undefined;
    });
    return this.pruning;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Stands for the hub's READY inside the channel stream; never sent to clients. */
const READY_MARK = Symbol('ready');

function isDelivery(payload: Payload<ChannelEvent> | typeof READY_MARK): payload is Payload<ChannelEvent> {
  return payload !== READY_MARK;
}

/** A stored row as an event; rows inserted by other programs may lack publishedAt or publisher. */
function eventOf(row: Document): ChannelEvent {
  return {
    id: String(row.id),
    channel: String(row.channel),
    data: row.data ?? null,
    publishedAt: typeof row.publishedAt === 'string' ? row.publishedAt : new Date().toISOString(),
    publisher: typeof row.publisher === 'string' ? row.publisher : null,
  };
}
