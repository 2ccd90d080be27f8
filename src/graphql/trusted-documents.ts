import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { GraphQLError } from 'graphql';
import type { Identity } from '../auth/identity.js';
import { codedGraphQLError } from '../errors/graphql.js';
import { HTTP_STATUS } from '../errors/codes.js';
import type { Logger } from '../observability/logger.js';
import { isJsonObject } from '../util/json.js';
import { normalizeDocumentId, readManifests } from './trusted-manifest.js';

/** Why an operation was refused: its id is unknown, or its role may not send a document of its own. */
export type RefusalReason = 'unknown_id' | 'document_not_allowed';

/**
 * What trusted documents make of an operation's parameters: the document to run (undefined: the
 * parameters carry none, and whatever answers a missing document answers), or a refusal.
 */
export type Admission = { readonly ok: true; readonly query: string | undefined } | Refusal;

/** An operation trusted documents refuse: why, and what the client is told (`refusalError`). */
export interface Refusal {
  readonly ok: false;
  readonly reason: RefusalReason;
  readonly code: 'PERSISTED_QUERY_NOT_FOUND' | 'PERSISTED_QUERY_ONLY';
  readonly message: string;
}

/** The GraphQL error of a refusal; over HTTP with `extensions.http.status`, which yoga answers with (and never shows clients). */
export function refusalError(refusal: Refusal, transport: 'http' | 'graphql-ws'): GraphQLError {
  return codedGraphQLError(refusal.code, refusal.message, transport === 'http' ? { http: { status: HTTP_STATUS[refusal.code] } } : {});
}

/** The parameters of one operation, as HTTP bodies and graphql-ws `subscribe` payloads carry them. */
export interface OperationParams {
  readonly query?: unknown;
  readonly documentId?: unknown;
  readonly extensions?: unknown;
}

export interface TrustedDocumentsOptions {
  /** A manifest file, or a directory of `*.json` manifests (codegen's persisted-documents.json, Apollo manifests). */
  path: string;
  /** Roles that may still send any document. @default [] */
  bypassRoles?: readonly string[];
  log: Logger;
  /** Called with the number of documents after every successful load. */
  onLoaded?: (documents: number) => void;
  /** Called after every reload triggered by a change of the files: whether it succeeded. */
  onReload?: (ok: boolean) => void;
}

/** How long a burst of file changes (an editor's write, a deploy copying several files) is let settle before reloading. */
const RELOAD_SETTLE_MS = 100;

/**
 * The id an operation names: `documentId` (GraphQL over HTTP, persisted documents), else Apollo's
 * `extensions.persistedQuery.sha256Hash`; undefined when it names none.
 */
export function documentIdOf(params: OperationParams): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId;
  const persisted = isJsonObject(params.extensions) ? params.extensions.persistedQuery : undefined;
  return isJsonObject(persisted) && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/**
 * The trusted documents of a gateway (TRUSTED_DOCUMENTS): the manifests' documents by id, read at
 * construction (throws, naming the file, when they cannot be read) and again whenever the files
 * change (`start()`); a reload that fails keeps the documents loaded before and logs why.
 * `admit` is what every transport asks (HTTP and SSE through yoga's onParams, the fast path,
 * graphql-ws): operations name a known document by id, or come from a bypass role.
 */
export class TrustedDocuments {
  private documents: Map<string, string>;
  private readonly bypass: ReadonlySet<string>;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TrustedDocumentsOptions) {
    this.bypass = new Set(options.bypassRoles ?? []);
    this.documents = readManifests(options.path);
    this.loaded();
  }

  /** How many documents are loaded. */
  get size(): number {
    return this.documents.size;
  }

  /** The document of `id` (`sha256:<hex>` or `<hex>`), or undefined. */
  documentOf(id: string): string | undefined {
    return this.documents.get(normalizeDocumentId(id));
  }

  /**
   * Decides one operation. An id runs its document (a document sent along with it is ignored),
   * or is refused PERSISTED_QUERY_NOT_FOUND; a document without an id runs only for a bypass role,
   * else is refused PERSISTED_QUERY_ONLY. Nothing is counted or logged: callers that answer the
   * refusal count it.
   */
  admit(params: OperationParams, identity: Identity | undefined, urlDocumentId?: string): Admission {
    const id = documentIdOf(params) ?? urlDocumentId;
    const query = typeof params.query === 'string' && params.query !== '' ? params.query : undefined;
    if (id !== undefined) {
      const document = this.documentOf(id);
      if (document !== undefined) return { ok: true, query: document };
      return refusal('unknown_id', 'PERSISTED_QUERY_NOT_FOUND', `no trusted document has the id "${id.slice(0, 100)}"`);
    }
    if (identity !== undefined && this.bypass.has(identity.role)) return { ok: true, query };
    return refusal('document_not_allowed', 'PERSISTED_QUERY_ONLY', 'this gateway runs only trusted documents: send the document\'s id as "documentId"');
  }

  /** Reloads the manifests when their files change, until `close()`. A path that cannot be watched is logged, and loaded once. */
  start(): void {
    const { path, log } = this.options;
    try {
      // Editors and deploys replace a file (write elsewhere, rename over it): watch its directory.
      const single = !statSync(path).isDirectory();
      const target = single ? dirname(path) : path;
      const name = basename(path);
      this.watcher = watch(target, (_event, changed) => {
        if (single && changed !== null && changed !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload(), RELOAD_SETTLE_MS);
      });
      this.watcher.unref();
    } catch (error) {
      log.warn({ err: error, path }, 'cannot watch the trusted documents: changes are not picked up until a restart');
    }
  }

  /** Reads the manifests again now; keeps the loaded documents when that fails. Returns whether it succeeded. */
  reload(): boolean {
    try {
      this.documents = readManifests(this.options.path);
      this.loaded();
      this.options.onReload?.(true);
      return true;
    } catch (error) {
      this.options.log.error({ err: error, path: this.options.path, kept: this.documents.size }, 'trusted documents not reloaded: the documents loaded before stay in force');
      this.options.onReload?.(false);
      return false;
    }
  }

  /** Stops watching. */
  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private loaded(): void {
    const { log, path, onLoaded } = this.options;
    if (this.documents.size === 0) log.warn({ path }, 'no trusted documents loaded: only bypass roles can run operations');
    else log.info({ path, documents: this.documents.size }, 'trusted documents loaded');
    onLoaded?.(this.documents.size);
  }
}

function refusal(reason: RefusalReason, code: Refusal['code'], message: string): Refusal {
  return { ok: false, reason, code, message };
}
