/**
 * The pause before reconnection attempt `attempt` (1, 2, …): 100 ms doubling up to `maxMs`,
 * spread ±25% so that many gateways (or many feeds of one gateway) that lost the database at the
 * same moment do not all come back at the same instant.
 */
export function backoffDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 100 * 2 ** Math.min(attempt, 10)) * (0.75 + Math.random() / 2);
}
