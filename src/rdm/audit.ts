import { NotFound } from '../errors.js';
import type { DataLayer } from '../db/index.js';
import type { Logger } from '../logger.js';
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
  private ready: Promise<void> | undefined;

  constructor(private readonly options: AuditTrailOptions) {}

  /** Writes the row; rejects (and the request must not run) when it cannot be written. */
  async record(packet: RdmPacket, operation: RdmOperation, transport: RdmTransport): Promise<void> {
    const { data, db, table } = this.options;
    const row = { identifier: packet.id, type: packet.type, payload: packet.payload, time: packet.time, operation, transport };
    await this.ensure();
    try {
      await data.documents.insert(db, table, [row]);
    } catch (error) {
      // Dropped behind the gateway's back: create it again, once.
      if (!(error instanceof NotFound)) throw error;
      data.catalog.invalidate(db);
      this.ready = undefined;
      await this.ensure();
      await data.documents.insert(db, table, [row]);
    }
  }

  /** Creates the audit database and table when missing; concurrent callers share one attempt. */
  private ensure(): Promise<void> {
    this.ready ??= this.create().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async create(): Promise<void> {
    const { data, db, table, log } = this.options;
    const exists = await data.catalog.table(db, table).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFound) return false;
        throw error;
      },
    );
    if (exists) return;
    await data.catalog.ensureDatabase(db);
    await data.catalog.createTable(db, table).catch(async (error: unknown) => {
      // Another replica (or a concurrent request elsewhere) may have created it meanwhile.
      await data.catalog.table(db, table).catch(() => Promise.reject(error));
    });
    log.info({ database: db, table }, 'created the RDM audit trail table');
  }
}
