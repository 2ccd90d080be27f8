import { BadInput } from '../errors/domain.js';

/**
 * The Rethink Data Manager (RDM) protocol: envelope, replies, limits. Transport-free; the
 * translator (translator.ts) and the HTTP/websocket glue (http.ts, sockets.ts) build on it.
 * Reference: shared/rdm-protocol.md.
 */

/** Every operation path RDM served, without the leading slash. */
export const RDM_OPERATIONS = ['health', 'insert', 'get', 'get_all', 'filter', 'update', 'delete', 'delete_all', 'create_table'] as const;
export type RdmOperation = (typeof RDM_OPERATIONS)[number];

/** `type` values accepted: what the service checked, and what its README documented. */
export const RDM_TYPES = ['rethink-manager-call', 'rethink-data-call'] as const;

/** The body of RDM's health answer (plain text, HTTP 200). */
export const RDM_HEALTH_TEXT = 'Server Up and Running!\n';

export const RDM_LIMITS = {
  /**
   * Deepest nesting of objects and arrays in a packet (the envelope is level 1, payload 2, data 3).
   * The driver refuses 20 levels in a query and the audit row wraps the payload in two more.
   */
  depth: 17,
} as const;

/** A packet whose envelope is valid; `payload` fields are checked per operation. */
export interface RdmPacket {
  id: unknown;
  type: (typeof RDM_TYPES)[number];
  payload: Record<string, unknown>;
  time: unknown;
}

/** Why a request failed: the field RDM did not have, for new clients (src/errors/domain.ts `errorInfoOf` builds it). */
export interface RdmErrorInfo {
  /** An ErrorCode (src/errors/codes.ts): BAD_USER_INPUT, NOT_FOUND, CONFLICT, UNAVAILABLE, ... or INTERNAL_SERVER_ERROR. */
  code: string;
  message: string;
}

/** What every RDM request gets back. `error` and `id` are additions old clients ignore. */
export interface RdmReply {
  status_code: 200 | 500;
  response_message: unknown;
  error?: RdmErrorInfo;
  /** The packet's id, echoed in keep-alive mode (null when the packet had none). */
  id?: unknown;
}

/** The operation a path names (`/insert` -> `insert`); undefined for anything else, `/insert/` included. */
export function operationOf(path: string): RdmOperation | undefined {
  return RDM_OPERATIONS.find((operation) => path === `/${operation}`);
}

export function okReply(result: unknown): RdmReply {
  return { status_code: 200, response_message: result };
}

/** RDM's one error text, byte for byte, plus the `error` field saying why. */
export function errorReply(path: string, error: RdmErrorInfo): RdmReply {
  const text =
    '[ERROR] Some error was faced while trying to execute your operation. Verify the Rethink Data Manager (RDM) logs!' +
    `\nparams::path = ${path}\nparams::operation = ${path.replace(/^\//, '')}`;
  return { status_code: 500, response_message: text, error };
}

/**
 * Reads a packet's JSON: raw text as it came off the wire (checked against `maxBytes` first),
 * or an already-parsed value (the GraphQL field), which is returned as it is. Throws BadInput.
 */
export function decodeRdmPacket(input: unknown, maxBytes: number): unknown {
  if (typeof input !== 'string') return input;
  const bytes = Buffer.byteLength(input);
  if (bytes > maxBytes) throw new BadInput(`packet of ${bytes} bytes exceeds the limit of ${maxBytes}`, { limit: maxBytes });
  try {
    return JSON.parse(input);
  } catch (error) {
    throw new BadInput(`packet is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

/** Validates a decoded packet: nesting, the four envelope keys, `type`, an object payload. Throws BadInput naming the problem. */
export function parseRdmPacket(value: unknown): RdmPacket {
  checkDepth(value, RDM_LIMITS.depth);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadInput('packet must be a JSON object');
  const envelope = value as Record<string, unknown>;
  const missing = ['id', 'type', 'payload', 'time'].filter((key) => !Object.hasOwn(envelope, key));
  if (missing.length > 0) throw new BadInput(`packet is missing ${missing.join(', ')}`, { missing });
  const { id, type, payload, time } = envelope;
  if (!RDM_TYPES.includes(type as RdmPacket['type'])) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 80)) : typeof type;
    throw new BadInput(`packet type must be ${RDM_TYPES.map((t) => `"${t}"`).join(' or ')} (got ${shown})`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new BadInput('packet payload must be a JSON object');
  return { id, type: type as RdmPacket['type'], payload: payload as Record<string, unknown>, time };
}

/** The `id` of a decoded packet to echo in keep-alive replies: a string, number or boolean; otherwise null. */
export function packetIdOf(value: unknown): string | number | boolean | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id: unknown = (value as Record<string, unknown>).id;
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'boolean' ? id : null;
}

/** Throws BadInput when objects and arrays nest deeper than `max` (iterative: a hostile packet cannot overflow the stack). */
function checkDepth(root: unknown, max: number): void {
  const stack: [unknown, number][] = [[root, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, depth] = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) throw new BadInput(`packet nests objects and arrays deeper than ${max} levels`, { limit: max });
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}

/**
 * Serialises a reply the way RDM's Python service did (`json.dumps`: ", " and ": " separators,
 * non-ASCII escaped), so clients that compare or slice reply text see the same bytes.
 */
export function serializeRdmReply(reply: RdmReply): string {
  return pythonJson(reply);
}

function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number') return Number.isFinite(value) ? pythonNumber(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`).join(', ')}}`;
  }
  return 'null';
}

/** Python prints exponents with a sign and two digits (1e+21, 1e-07); JavaScript does not. */
function pythonNumber(n: number): string {
  return String(n).replace(/e([+-])(\d)$/, (_match, sign: string, digit: string) => `e${sign}0${digit}`);
}
