import { r, type Connection } from 'rethinkdb-ts';

/** One connection of the pool's query connections, on one host. */
export interface Slot {
  readonly host: Host;
  connection?: Connection;
  inFlight: number;
}

/** What `/ready` shows of one database host. */
export interface HostStatus {
  /** `host:port`. */
  address: string;
  /** `up`: a query connection is open; `connecting`: none has opened yet; `down`: lost, reconnecting. */
  state: 'up' | 'down' | 'connecting';
  /** Open query connections. */
  connections: number;
  /** Changefeed connections open on it. */
  feeds: number;
  /** Queries sent to it since start. */
  queries: number;
}

/** One RethinkDB server of the pool, with its query connections and counters. */
export class Host {
  readonly address: string;
  readonly slots: Slot[];
  /** Changefeed connections open on this host (feeds go to the host with the fewest). */
  feeds = 0;
  queries = 0;
  /** Some connection to it has opened since start. */
  connectedOnce = false;
  /** A heartbeat round trip is in flight (one at a time). */
  checking = false;

  constructor(
    readonly host: string,
    readonly port: number,
    size: number,
  ) {
    this.address = `${host}:${port}`;
    this.slots = Array.from({ length: size }, () => ({ host: this, inFlight: 0 }));
  }

  /** True while one of its query connections is open. */
  get up(): boolean {
    return this.slots.some((slot) => slot.connection?.open);
  }

  status(): HostStatus {
    const connections = this.slots.filter((slot) => slot.connection?.open).length;
    const state = connections > 0 ? 'up' : this.connectedOnce ? 'down' : 'connecting';
    return { address: this.address, state, connections, feeds: this.feeds, queries: this.queries };
  }

  /**
   * Sends a round trip on one open connection; when it is not answered within `timeoutMs` (the
   * server frozen or cut off, its sockets still open) closes the host's query connections, each
   * of which reconnects by itself. One check at a time.
   */
  async heartbeat(timeoutMs: number, log: (level: 'warn', message: string) => void): Promise<void> {
    const connection = this.slots.find((slot) => slot.connection?.open)?.connection;
    if (!connection || this.checking) return;
    this.checking = true;
    let answered = false;
    const inTime = await answersWithin(
      r.expr(1).run(connection).then(() => (answered = true)),
      timeoutMs,
    );
    // A stalled event loop (GC, CPU starvation) fires the deadline before reading an answer that
    // waits on the socket: let I/O run once before judging the host.
    if (!inTime) await new Promise((resolve) => setImmediate(resolve));
    this.checking = false;
    if (inTime || answered || !connection.open) return;
    log('warn', `the database host ${this.address} did not answer within ${timeoutMs} ms; giving it up`);
    this.drop();
  }

  /** Closes its query connections (it stopped answering); each reconnects by itself. */
  drop(): void {
    for (const slot of this.slots) void slot.connection?.close().catch(() => undefined);
  }
}

/** The open slot with the fewest queries in flight, searching from `start` (modulo the count) so ties go in turn. */
export function leastBusy(slots: readonly Slot[], start: number): Slot | undefined {
  let best: Slot | undefined;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[(start + i) % slots.length] as Slot;
    if (slot.connection?.open && (!best || slot.inFlight < best.inFlight)) best = slot;
  }
  return best;
}

/**
 * The hosts in the order a new changefeed tries them: those up, fewest feeds first (so feeds
 * spread, and one host's death moves only its share), then the others in their given order.
 */
export function feedOrder(hosts: readonly Host[]): Host[] {
  const up = hosts.filter((host) => host.up).sort((a, b) => a.feeds - b.feeds);
  return [...up, ...hosts.filter((host) => !host.up)];
}

/** Resolves to true when `work` fulfils within `timeoutMs`, false when it rejects or is late; never rejects. */
export async function answersWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true, () => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
