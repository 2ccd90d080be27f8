import type { Identity } from '../auth/identity.js';
import type { Action } from '../auth/rules.js';
import type { Config } from '../config/config.js';
import type { DataLayer, Document } from '../db/index.js';
import { checkName } from '../db/names.js';
import { checkStorable } from '../db/storable.js';
import { BadInput, errorInfoOf, isDomainError, NotFound, type ErrorInfo } from '../errors/domain.js';
import type { Logger } from '../observability/logger.js';
import { accessTo, admitTo } from '../services/access.js';
import { createTable } from '../services/admin.js';
import * as documents from '../services/documents.js';
import { AuditTrail, type RdmTransport } from './audit.js';
import { parseRdmFilter, rdmFilterToWhere } from './filter.js';
import {
  decodeRdmPacket,
  errorReply,
  okReply,
  operationOf,
  packetIdOf,
  parseRdmPacket,
  RDM_HEALTH_TEXT,
  type RdmOperation,
  type RdmPacket,
  type RdmReply,
} from './protocol.js';

export type { RdmTransport } from './audit.js';

export interface RdmTranslatorOptions {
  config: Pick<Config, 'maxBodyBytes' | 'maxLimit' | 'rdmAudit' | 'rdmAuditDb' | 'rdmAuditTable' | 'rdmMaxRows' | 'security' | 'eventsDb' | 'eventsTable'>;
  data: DataLayer;
  log: Logger;
  /** The active trace's id (tracing on), logged with each reply so a request's log line and trace meet. */
  traceId?: () => string | undefined;
}

export interface HandleOptions {
  transport: RdmTransport;
  /** Add the packet's id to the reply (keep-alive mode). @default false */
  echoId?: boolean;
  /** The request id of the HTTP request, websocket packet or GraphQL operation, for the logs. */
  requestId?: string;
  /** Who sent the packet (authenticated by the transport); its role's permissions apply. */
  identity: Identity;
}

/** The permission each RDM operation needs. */
const ACTION_OF: Record<Exclude<RdmOperation, 'health'>, Action> = {
  insert: 'insert',
  get: 'read',
  get_all: 'read',
  filter: 'read',
  update: 'update',
  delete: 'delete',
  delete_all: 'delete',
  create_table: 'admin',
};

/**
 * Turns RDM packets into the service calls the GraphQL fields make (src/services/), and their
 * results or errors into RDM replies. Every way in (GraphQL field, HTTP, websockets)
 * goes through `handle`, so validation and behaviour are the same everywhere.
 */
export class RdmTranslator {
  private readonly audit: AuditTrail | undefined;

  constructor(private readonly options: RdmTranslatorOptions) {
    const { config, data, log } = options;
    this.audit = config.rdmAudit ? new AuditTrail({ data, db: config.rdmAuditDb, table: config.rdmAuditTable, log }) : undefined;
  }

  /**
   * Answers one packet sent to `path` (`/insert`, ... relative to where RDM is mounted). `input`
   * is the raw text of a frame or body, or an already-parsed value. Never throws: every failure
   * is RDM's error reply, with an `error` field saying why.
   */
  async handle(path: string, input: unknown, { transport, echoId = false, requestId, identity }: HandleOptions): Promise<RdmReply> {
    const reply = await this.reply(path, input, transport, echoId, requestId, identity);
    const error = (reply as { error?: { code?: string } }).error;
    const traceId = this.options.traceId?.();
    this.options.log.info({ requestId, ...(traceId ? { traceId } : {}), transport, path: path.slice(0, 80), status: reply.status_code, code: error?.code }, 'RDM request');
    return reply;
  }

  private async reply(
    path: string,
    input: unknown,
    transport: RdmTransport,
    echoId: boolean,
    requestId: string | undefined,
    identity: Identity,
  ): Promise<RdmReply> {
    let id: unknown = null;
    let reply: RdmReply;
    try {
      const operation = operationOf(path);
      if (!operation) throw new NotFound(`"${path.slice(0, 80)}" is not an RDM operation`, { path: path.slice(0, 80) });
      if (operation === 'health') {
        reply = okReply(RDM_HEALTH_TEXT);
      } else {
        const decoded = decodeRdmPacket(input, this.options.config.maxBodyBytes);
        id = packetIdOf(decoded);
        const packet = parseRdmPacket(decoded);
        // The audit row stores the whole packet, so this holds for fields the operation ignores too.
        checkStorable(packet, 'packet');
        reply = okReply(await this.run(operation, packet, transport, identity));
      }
    } catch (error) {
      reply = errorReply(path, this.describe(error, path, requestId));
    }
    return echoId ? { ...reply, id } : reply;
  }

  private async run(operation: Exclude<RdmOperation, 'health'>, packet: RdmPacket, transport: RdmTransport, identity: Identity): Promise<unknown> {
    const deps = this.options;
    const payload = packet.payload;
    const db = nameIn(payload, 'database');
    const table = nameIn(payload, 'table');
    // Permission first, then names, then the rest of the packet: a refused caller learns nothing
    // about which tables exist, and nothing is recorded for a request that is refused.
    await admitTo(deps, identity, db, table, ACTION_OF[operation], operation === 'create_table');
    // The audit row is written once the service has checked everything, just before it runs.
    const audit = this.audit;
    const access = accessTo(deps, identity, db, table, ACTION_OF[operation]);
    const accepted = audit && (() => audit.record(packet, operation, transport, (doc) => access.strip(doc)));
    switch (operation) {
      case 'insert': {
        const result = await documents.insertDocuments(deps, identity, db, table, documentsIn(payload), { whatOf: (i) => `payload.data[${i}]`, accepted });
        const keys = result.generatedKeys.length > 0 ? { generated_keys: result.generatedKeys } : {};
        return { deleted: 0, errors: 0, ...keys, inserted: result.inserted, replaced: result.replaced, skipped: 0, unchanged: result.unchanged };
      }
      case 'get': {
        const identifier = identifierIn(payload);
        const doc = await documents.readDocument(deps, identity, db, table, identifier, { accepted });
        if (!doc) throw missingDocument(db, table, identifier);
        return doc;
      }
      case 'get_all':
      case 'filter': {
        const filter = operation === 'filter' ? rdmFilterToWhere(parseRdmFilter(required(payload, 'filter'))) : undefined;
        return documents.listAllDocuments(deps, identity, db, table, filter, deps.config.rdmMaxRows, { accepted });
      }
      case 'update': {
        const identifier = identifierIn(payload);
        const patch = objectIn(payload, 'data');
        const change = await documents.updateDocument(deps, identity, db, table, identifier, { patch }, { what: 'payload.data', accepted });
        if (!change.changed) {
          throw new BadInput(`the update left document ${JSON.stringify(identifier)} in ${db}.${table} unchanged`, { database: db, table, id: identifier });
        }
        return { objects_updated: 1, changes: [{ new_val: change.newVal, old_val: change.oldVal }] };
      }
      case 'delete': {
        const identifier = identifierIn(payload);
        if (!(await documents.deleteDocument(deps, identity, db, table, identifier, { accepted }))) throw missingDocument(db, table, identifier);
        return { objects_deleted: 1 };
      }
      case 'delete_all': {
        // With a row rule: all of the caller's rows.
        const deleted = await documents.deleteDocuments(deps, identity, db, table, { all: true }, { accepted });
        if (deleted === 0) throw new NotFound(`table "${table}" in database "${db}" is already empty`, { database: db, table });
        return { objects_deleted: deleted };
      }
      case 'create_table':
        await createTable(deps, identity, db, table, undefined, { accepted });
        return { tables_created: 1 };
    }
  }

  private describe(error: unknown, path: string, requestId: string | undefined): ErrorInfo {
    if (!isDomainError(error)) this.options.log.error({ err: error, path, requestId }, 'unexpected error in an RDM operation');
    return errorInfoOf(error);
  }
}

function required(payload: Record<string, unknown>, key: string): unknown {
  const value = payload[key];
  if (value === undefined || value === null) throw new BadInput(`payload.${key} is missing`, { field: `payload.${key}` });
  return value;
}

function nameIn(payload: Record<string, unknown>, key: 'database' | 'table'): string {
  const value = required(payload, key);
  if (typeof value !== 'string') throw new BadInput(`payload.${key} must be a string`, { field: `payload.${key}` });
  return checkName(key, value);
}

/** A document key: RDM sent strings (UUIDs); numbers are accepted and matched like GraphQL IDs. */
function identifierIn(payload: Record<string, unknown>): string {
  const value = required(payload, 'identifier');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new BadInput('payload.identifier must be a string or a number', { field: 'payload.identifier' });
}

function objectIn(payload: Record<string, unknown>, key: string): Document {
  const value = required(payload, key);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadInput(`payload.${key} must be a JSON object`, { field: `payload.${key}` });
  }
  return value as Document;
}

/** `data` of an insert: one object or a list of objects. */
function documentsIn(payload: Record<string, unknown>): Document[] {
  const value = required(payload, 'data');
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new BadInput('payload.data is an empty list: nothing to insert', { field: 'payload.data' });
  list.forEach((doc: unknown, i) => {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new BadInput(Array.isArray(value) ? `payload.data[${i}] must be a JSON object` : 'payload.data must be a JSON object or a list of them', {
        field: 'payload.data',
      });
    }
  });
  return list as Document[];
}

function missingDocument(db: string, table: string, id: string): NotFound {
  return new NotFound(`document ${JSON.stringify(id)} not found in ${db}.${table}`, { database: db, table, id });
}
