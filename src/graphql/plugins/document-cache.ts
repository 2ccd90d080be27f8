import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What yoga's `parserAndValidationCache.documentCache` needs. */
export interface DocumentCache {
  get(source: string): DocumentNode | undefined;
  set(source: string, document: DocumentNode): void;
}

/** Defaults of createDocumentCache. */
export const DOCUMENT_CACHE_DEFAULTS = { maxEntries: 1024, maxBytes: 16 * 1_048_576, maxEntryBytes: 65_536 } as const;

/**
 * A least-recently-used cache of parsed documents bounded by entries and by bytes, for yoga's
 * `parserAndValidationCache`. Yoga's own keeps 1,024 documents whatever their size: 1,150
 * distinct ~1 MB documents (one long string literal is one token, so MAX_TOKENS lets it through)
 * took RSS from 121 MB to 1.37 GB. A document's cost is twice its source length (the key, plus
 * the AST that holds its literals); documents over `maxEntryBytes` are parsed every time and not
 * kept. Validation results are cached per document object (a WeakMap in yoga), so they go with it.
 * Defaults: DOCUMENT_CACHE_DEFAULTS (1,024 entries, 16 MB, 64 KB per document).
 */
export function createDocumentCache(options: Partial<Record<keyof typeof DOCUMENT_CACHE_DEFAULTS, number>> = {}): DocumentCache & { readonly bytes: number; readonly size: number } {
  const { maxEntries, maxBytes, maxEntryBytes } = { ...DOCUMENT_CACHE_DEFAULTS, ...options };
  const entries = new Map<string, DocumentNode>();
  let bytes = 0;
  const costOf = (source: string) => 2 * source.length;
  return {
    get(source) {
      const document = entries.get(source);
      if (document === undefined) return undefined;
      // Map keeps insertion order: re-inserting marks it most recently used. Only once the cache
      // is half full: below that, nothing is evicted before it has grown by half again, time in
      // which a document in use is hit and moved (re-inserting on every hit was ~1% of a request's CPU).
      if (entries.size > maxEntries / 2 || bytes > maxBytes / 2) {
        entries.delete(source);
        entries.set(source, document);
      }
      return document;
    },
    set(source, document) {
      const cost = costOf(source);
      if (cost > maxEntryBytes || entries.has(source)) return;
      entries.set(source, document);
      bytes += cost;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes && entries.size <= maxEntries) break;
        entries.delete(oldest);
        bytes -= costOf(oldest);
      }
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * Parses each document text once (kept in `documents`) and validates each parsed document once
 * per schema, in place of yoga's parserAndValidationCache. Yoga's keyed its validation results by
 * the names of the validation rules, joined into a string on every request, in an LRU that reads
 * the clock on every get (TTL), for rules that never change here (the limit plugins add the same
 * ones to every operation, src/graphql/plugins/limits.ts): 6-8% more gateway CPU per get-by-id
 * request under load (two gateways measured in turn).
 * Parse errors are not cached (the metrics plugin counts each one); validation results are, and
 * the plugins' after-validation hooks still see each. A rebuilt schema starts afresh (a WeakMap
 * per schema object).
 */
export function useParseAndValidateCache(documents: DocumentCache): Plugin {
  const validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly Error[]>>();
  return {
    onParse({ params, setParsedDocument }) {
      const source = params.source.toString();
      const document = documents.get(source);
      if (document) return setParsedDocument(document);
      return ({ result }) => {
        if (result && !(result instanceof Error)) documents.set(source, result);
      };
    },
    onValidate({ params: { schema, documentAST }, setResult }) {
      let bySchema = validated.get(schema);
      if (!bySchema) validated.set(schema, (bySchema = new WeakMap()));
      const known = bySchema.get(documentAST);
      if (known) return setResult(known);
      const results = bySchema;
      return ({ result }) => {
        results.set(documentAST, result);
      };
    },
  };
}
