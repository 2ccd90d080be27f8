import { createHash, randomBytes } from 'node:crypto';
import { BadInput } from '../errors/domain.js';

/** Where a subscriber stands in one query's event stream. */
export interface ResumePosition {
  /** The replay log's epoch: random per log, renewed when the query is created or its feed is lost. */
  readonly epoch: string;
  /** A short hash of the query's sharing key, so a token never resumes another query. */
  readonly query: string;
  /** The sequence number of the last event the subscriber saw (0: none yet). */
  readonly seq: number;
}

const VERSION = 1;

/** A fresh random epoch id (12 random bytes, base64url). */
export function newEpoch(): string {
  return randomBytes(12).toString('base64url');
}

/** The short hash of a query key that tokens carry. */
export function queryHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 11);
}

/** Encodes a position as an opaque token: base64url of `[version, epoch, query, seq]` as JSON. */
export function encodeResumeToken(position: ResumePosition): string {
  return Buffer.from(JSON.stringify([VERSION, position.epoch, position.query, position.seq])).toString('base64url');
}

/**
 * Parses a client's token. Throws BadInput when it is not a token this gateway could have
 * issued (any gateway instance: a well-formed token from elsewhere parses, and resuming from it
 * degrades to RESET).
 */
export function parseResumeToken(token: unknown): ResumePosition {
  const bad = () => new BadInput('resumeFrom is not a resume token (pass the resumeToken of the last event received)', { resumeFrom: typeof token === 'string' ? token.slice(0, 100) : null });
  if (typeof token !== 'string' || token.length === 0 || token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== 4) throw bad();
  const [version, epoch, query, seq] = value as unknown[];
  if (version !== VERSION || typeof epoch !== 'string' || typeof query !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 0) throw bad();
  return { epoch, query, seq: seq as number };
}
