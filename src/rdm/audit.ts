import { EnsuredTable, type DataLayer, type Document } from '../db/index.js';
import { isJsonObject } from '../util/json.js';
import type { Logger } from '../observability/logger.js';
import type { RdmOperation, RdmPacket } from './protocol.js';

/** How a packet reached the gateway (recorded in the audit row). */
export type RdmTransport = 'websocket' | 'legacy-websocket' | 'http' | 'graphql';

export interface AuditTrailOptions {
  data: DataLayer;
  db: string;
  table: string;
  log: Logger;
}

/**
 * RDM's audit trail: one row per accepted request, written before the request runs, as RDM
 * wrote it (`identifier`, `type`, `payload`, `time`) plus `operation` and `transport`. Unlike
 * RDM, a missing audit database or table is created instead of failing every request.
 */
export class AuditTrail {
  private readonly table: EnsuredTable;

  constructor(private readonly options: AuditTrailOptions) {
    const { data, db, table, log } = options;
    this.table = new EnsuredTable(data.catalog, db, table, () => log.info({ database: db, table }, 'created the RDM audit trail table'));
  }

  /**
   * Writes the row; rejects (and the request must not run) when it cannot be written. `strip`
   * removes from a document what the sender's role may not read (its hidden fields): the row
   * keeps the packet's `data` documents only as stripped, so the trail never holds those values.
   */
  async record(packet: RdmPacket, operation: RdmOperation, transport: RdmTransport, strip: (doc: Document) => Document): Promise<void> {
    const { data, db, table } = this.options;
    const payload = { ...packet.payload };
    const docs = payload.data;
    if (Array.isArray(docs)) payload.data = docs.map((doc: unknown) => (isJsonObject(doc) ? strip(doc) : doc));
    else if (isJsonObject(docs)) payload.data = strip(docs);
    const row = { identifier: packet.id, type: packet.type, payload, time: packet.time, operation, transport };
    await this.table.use(() => data.documents.insert(db, table, [row]));
  }
}
