/**
 * Fixed-window request counters per key (an address, a user, an API key). In memory, per
 * gateway process: with several replicas each enforces its own share. Hand-written rather
 * than a library because it is this small and needs no store; windows that ended are swept
 * while counting, so memory stays bounded by the keys active in one window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  /** `limit` requests per `windowMs` per key; a limit of 0 allows everything. */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one request for `key`; returns 0 when allowed, else the seconds until the window ends (at least 1). */
  take(key: string, now = Date.now()): number {
    if (this.limit === 0) return 0;
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.limit ? 0 : Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.resetAt) this.windows.delete(key);
    this.nextSweep = now + this.windowMs;
  }
}
