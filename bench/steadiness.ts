// How steady this machine's CPUs are, printed beside the fan-out figures: the tails of those
// figures are set less by the gateway than by how often the machine stalls.
//
// A fixed piece of work (~2 ms) runs back to back for a few seconds, each piece timed by this
// process's CPU time, so that waiting for another process does not count, only the CPU being
// slower. A 100 ms window whose pieces took twice the median or more is a stall. On the shared
// two-vCPU machines these figures come from, with nothing else running, a stall came about every
// 2 s on either vCPU and lasted ~100 ms (docs/benchmarks.md, "The machine's stalls").

/** What `measureSteadiness` found. */
export interface Steadiness {
  /** 100 ms windows measured. */
  windows: number;
  /** Windows whose work took at least twice the median CPU time. */
  stalls: number;
  /** The slowest window, in multiples of the median. */
  worst: number;
  /** The median time from one stall's start to the next, in ms (undefined: fewer than two). */
  medianGapMs: number | undefined;
}

/** What the pieces computed: kept, so that no piece can be optimized away. */
let checksum = 0;

/** One piece of work: integer arithmetic (~2 ms here). */
function piece(): void {
  let x = checksum;
  for (let i = 0; i < 2_000_000; i++) x = (x + i * 7) ^ (x >>> 3);
  checksum = x;
}

const WINDOW_MS = 100;

/** Runs pieces for `seconds` and counts the stalled windows (blocks this process meanwhile). */
export function measureSteadiness(seconds: number): Steadiness {
  piece();
  const pieces: { at: number; cpuMs: number }[] = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const at = performance.now() - started;
    const before = process.cpuUsage();
    piece();
    const { user, system } = process.cpuUsage(before);
    pieces.push({ at, cpuMs: (user + system) / 1000 });
  }
  const sorted = pieces.map((p) => p.cpuMs).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] ?? 0;
  const windows = new Map<number, number[]>();
  for (const { at, cpuMs } of pieces) {
    const window = Math.floor(at / WINDOW_MS);
    const list = windows.get(window) ?? [];
    list.push(cpuMs / median);
    windows.set(window, list);
  }
  const factors = [...windows].map(([window, list]) => [window, list.reduce((sum, f) => sum + f, 0) / list.length] as const);
  const stalled = factors.filter(([, factor]) => factor >= 2).map(([window]) => window);
  const starts = stalled.filter((window, i) => i === 0 || window !== (stalled[i - 1] ?? 0) + 1);
  const gaps = starts.slice(1).map((window, i) => (window - (starts[i] ?? 0)) * WINDOW_MS).sort((a, b) => a - b);
  return {
    windows: factors.length,
    stalls: stalled.length,
    worst: Math.max(...factors.map(([, factor]) => factor)),
    medianGapMs: gaps.length > 0 ? gaps[gaps.length >> 1] : undefined,
  };
}

/** `measureSteadiness` as one line of the benchmark's output. */
export function describeSteadiness({ windows, stalls, worst, medianGapMs }: Steadiness): string {
  const every = medianGapMs === undefined ? '' : `, one about every ${(medianGapMs / 1000).toFixed(1)} s`;
  return `machine steadiness: a fixed CPU loop ran 2x slower or worse in ${stalls} of ${windows} 100 ms windows (${((100 * stalls) / windows).toFixed(1)}%${every}; worst ${worst.toFixed(1)}x)`;
}
