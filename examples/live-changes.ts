/**
 * Applying `liveChanges` deltas in a client: a tiny helper for the typed client examples.
 *
 *   const rows: Player[] = [];
 *   client.subscribe({ query: 'subscription { liveChanges(table: "players", orderBy: [{ field: "score", direction: DESC }], limit: 10) { type id index oldIndex new resumeToken } }' },
 *     { next: ({ data }) => applyLiveChange(rows, data.liveChanges) });
 *
 * After every delta, `rows` is exactly what the `live` subscription with the same arguments
 * would send (test/live-changes.test.ts checks it over random writes). Keep the last non-null
 * `resumeToken` and pass it as `resumeFrom` when you reconnect.
 */

/** One delta as the `LiveChange` type sends it. */
export interface LiveChange<Row> {
  type: 'RESET' | 'INITIAL' | 'READY' | 'ADD' | 'REMOVE' | 'MOVE' | 'CHANGE';
  index?: number | null;
  oldIndex?: number | null;
  new?: Row | null;
}

/** Applies one delta to `rows` in place and returns it. Throws on a delta that does not fit (a bug, or a missed delta). */
export function applyLiveChange<Row>(rows: Row[], change: LiveChange<Row>): Row[] {
  const at = (index: number | null | undefined, length: number): number => {
    if (typeof index !== 'number' || index < 0 || index > length) throw new Error(`${change.type}: index ${String(index)} is outside 0..${length}`);
    return index;
  };
  switch (change.type) {
    case 'RESET':
      rows.length = 0;
      break;
    case 'INITIAL':
    case 'ADD':
      rows.splice(at(change.index, rows.length), 0, change.new as Row);
      break;
    case 'REMOVE':
      rows.splice(at(change.oldIndex, rows.length - 1), 1);
      break;
    case 'MOVE':
      rows.splice(at(change.oldIndex, rows.length - 1), 1);
      rows.splice(at(change.index, rows.length), 0, change.new as Row);
      break;
    case 'CHANGE':
      rows[at(change.index, rows.length - 1)] = change.new as Row;
      break;
    case 'READY':
      break;
  }
  return rows;
}
