/** The shapes the data layer's document reads and writes take and give. */
import type { UpdateOperators } from './update-operators.js';

/** A stored document: a JSON object. */
export type Document = Record<string, unknown>;

export type SortDirection = 'ASC' | 'DESC';
export interface OrderBy {
  field: string;
  /** @default 'ASC' */
  direction?: SortDirection | null;
}

/** What `insert` does when a document's primary key exists: fail (nothing written), replace it, or merge into it. */
export type ConflictMode = 'error' | 'replace' | 'update';

export interface ListQuery {
  db: string;
  table: string;
  where?: unknown;
  orderBy?: readonly OrderBy[];
  limit?: number | null;
  offset?: number | null;
  /** Only rows strictly past this position: the orderBy values, then the primary key (see src/db/keyset.ts). */
  after?: readonly unknown[];
  /** Read the order backwards (rows come last first; past `after` means before it). @default false */
  backward?: boolean;
}

export interface InsertResult {
  inserted: number;
  replaced: number;
  unchanged: number;
  /** Keys RethinkDB generated for documents without a primary key, in input order. */
  generatedKeys: string[];
  /** The documents as stored, in input order. */
  documents: Document[];
}

/** One document's state before and after an update. */
export interface DocumentChange {
  oldVal: Document;
  newVal: Document;
  /** False when the patch left the document as it was (RethinkDB's `unchanged`). */
  changed: boolean;
}

export interface Limits {
  defaultLimit: number;
  maxLimit: number;
}

/** What `update` applies beside the patch, and the filter the document must match. */
export interface UpdateOptions {
  /** Atomic operators (src/db/update-operators.ts). */
  operators?: UpdateOperators;
  /** A where filter (e.g. a role's row rule) the stored document must match, checked in the write; NotFound otherwise. */
  guard?: unknown;
}
