import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { isJsonObject } from '../util/json.js';

/** The prefix codegen's client preset puts on its sha256 ids (GraphQL-over-HTTP persisted documents draft). */
const SHA256_PREFIX = 'sha256:';

/** A document id as stored and looked up: `sha256:<hex>` and `<hex>` name the same document. */
export function normalizeDocumentId(id: string): string {
  return id.startsWith(SHA256_PREFIX) ? id.slice(SHA256_PREFIX.length) : id;
}

/**
 * The (id, document) pairs of one manifest: the client preset's `persisted-documents.json`
 * (`{ "<id>": "<document>" }`) or Apollo's persisted query manifest (`{ format:
 * "apollo-persisted-query-manifest", version: 1, operations: [{ id, body }] }`). Every document
 * must parse; errors name `source` and the id.
 */
export function parseManifest(json: unknown, source: string): [string, string][] {
  if (!isJsonObject(json)) throw new Error(`${source}: a trusted-documents manifest is a JSON object (id -> document)`);
  let entries: [string, unknown][];
  if (json.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(json.operations)) throw new Error(`${source}: an Apollo manifest needs an "operations" array`);
    entries = json.operations.map((operation: unknown, index) => {
      if (!isJsonObject(operation) || typeof operation.id !== 'string') throw new Error(`${source}: operations[${index}] needs a string "id" and "body"`);
      return [operation.id, operation.body];
    });
  } else {
    entries = Object.entries(json);
  }
  return entries.map(([id, document]) => {
    if (typeof document !== 'string' || id === '') throw new Error(`${source}: document "${id}" must be a non-empty id with the document's text as a string`);
    try {
      parse(document);
    } catch (error) {
      throw new Error(`${source}: document "${id}" does not parse: ${(error as Error).message}`);
    }
    return [normalizeDocumentId(id), document];
  });
}

/**
 * The files a TRUSTED_DOCUMENTS path names: the file itself, or the `*.json` files of a directory
 * (not its subdirectories), in name order.
 */
export function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(path, entry.name))
    .sort();
}

/**
 * Every document of the manifests at `path` (a file or a directory of them), by normalized id.
 * Throws, naming the file, on unreadable or invalid JSON, a document that does not parse, or one
 * id given two different documents.
 */
export function readManifests(path: string): Map<string, string> {
  const documents = new Map<string, string>();
  const origin = new Map<string, string>();
  for (const file of manifestFiles(path)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    for (const [id, document] of parseManifest(json, file)) {
      const known = documents.get(id);
      if (known !== undefined && known !== document) throw new Error(`${file}: document "${id}" differs from the one in ${origin.get(id) ?? 'another manifest'}`);
      documents.set(id, document);
      origin.set(id, file);
    }
  }
  return documents;
}
