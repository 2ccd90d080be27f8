import type { ConnectionPool } from './pool.js';
import type { TableInfo } from './catalog.js';
import { tableTerm } from './terms.js';

interface IndexStatusRow {
  index: string;
  multi: boolean;
  geo: boolean;
  query?: string;
}

/** Most tables whose index definitions are kept; past this the cache starts over. */
const MAX_CACHED_TABLES = 1024;

/**
 * Which secondary indexes of a table index exactly one field (RethinkDB only: reqlite's
 * indexStatus has no `query`). An index qualifies when it is neither multi nor geo and its
 * function, as the server prints it, is a plain field access (`row('a')('b')`,
 * `row.getField('a')`, `r.row('a')`) or the gateway's own createIndex (`fieldValue`, see
 * src/db/paths.ts). Either holds the field's value for every document where it is present, not
 * null and not an object, which is all the index plans need (they keep the full filter after the
 * index narrows). Anything else is left alone: a plan may only use an index whose meaning is known.
 */
export class FieldIndexes {
  private readonly cache = new Map<string, { signature: string; fields: Promise<Map<string, string>> }>();

  constructor(private readonly pool: ConnectionPool) {}

  /** Field path (`pathKey`) → index name, for the table's field indexes. Cached per index list. */
  of(info: TableInfo): Promise<Map<string, string>> {
    if (info.indexes.length === 0) return Promise.resolve(new Map());
    const name = `${info.db}\u0000${info.name}`;
    const signature = [...info.indexes].sort().join('\u0000');
    const cached = this.cache.get(name);
    if (cached?.signature === signature) return cached.fields;
    if (this.cache.size >= MAX_CACHED_TABLES) this.cache.clear();
    const fields = this.load(info);
    this.cache.set(name, { signature, fields });
    fields.catch(() => this.cache.delete(name));
    return fields;
  }

  private async load(info: TableInfo): Promise<Map<string, string>> {
    const rows = (await this.pool.read(tableTerm(info.db, info.name).indexStatus())) as unknown as IndexStatusRow[];
    const fields = new Map<string, string>();
    for (const row of rows) {
      const path = row.multi || row.geo || !row.query ? undefined : indexedPath(row.query);
      if (path && !fields.has(pathKey(path))) fields.set(pathKey(path), row.index);
    }
    return fields;
  }
}

/** The key of a field path in FieldIndexes maps. */
export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

const SEGMENT = '"((?:[^"\\\\]|\\\\.)*)"';

/** The field path an index function reads, from the server's print of it; undefined when it is anything else. */
export function indexedPath(query: string): string[] | undefined {
  const text = query.replace(/\b_?var\d+\b/g, 'v').replace(/\s+/g, '');
  const body = text.match(/^indexCreate\('(?:[^'\\]|\\.)*',function\(v\)\{return(.*);\}\)$/)?.[1];
  if (!body) return undefined;
  const plain = body.match(new RegExp(`^(?:v|r\\.row)((?:\\(${SEGMENT}\\)|\\.getField\\(${SEGMENT}\\))+)$`));
  const segments = (text: string) => [...text.matchAll(new RegExp(SEGMENT, 'g'))].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
  if (plain?.[1]) return segments(plain[1]);
  const walked = segments(body.replace(/"OBJECT"/g, '')).filter((_, i) => i % 2 === 0);
  return walked.length > 0 && body === fieldValuePrint(walked) ? walked : undefined;
}

/** How the server prints `fieldValue(row, path)` (src/db/paths.ts), whitespace removed, variables as `v`. */
function fieldValuePrint(path: readonly string[]): string {
  return path
    .map((segment, i) => {
      const s = JSON.stringify(segment);
      const present = `r.branch(v.hasFields(${s}),v(${s}),null)`;
      return `.do(function(v){return${i === 0 ? present : `r.branch(r.eq(v.typeOf(),"OBJECT"),${present},null)`};})`;
    })
    .join('')
    .replace(/^\./, 'v.');
}
