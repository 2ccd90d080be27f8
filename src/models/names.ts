/**
 * How tables and document keys become GraphQL names (documented in README "Typed API"):
 * - a key becomes a field name by turning every character other than A-Z, a-z, 0-9 and _ into
 *   `_`, prefixing `_` when it starts with a digit, and `x` when it starts with `__` (reserved);
 * - a table becomes a type by singularizing its last word (players -> player, categories ->
 *   category, boxes -> box, classes -> class) and writing each `_`/`-` separated word
 *   capitalized (game_scores -> GameScore); a word that starts with a digit keeps its `_`
 *   (t_1_2 -> T_1_2, so it cannot meet t_12 -> T_12);
 * - the one-document field is the type name with a lower-case first letter (gameScore), the
 *   list field is the table name the same way (gameScores), or `<one>List` when both are equal.
 */

/** A document key as a GraphQL field name. */
export function fieldNameOf(key: string): string {
  let name = key.replace(/[^A-Za-z0-9_]/g, '_');
  if (name === '') name = '_';
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (name.startsWith('__')) name = `x${name}`;
  return name;
}

/** The singular of an English plural, for table names (a word that is not a plural is returned as is). */
export function singularOf(word: string): string {
  if (/[^aeiou]ies$/i.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/i.test(word)) return word.slice(0, -2);
  if (/[^su]s$/i.test(word)) return word.slice(0, -1);
  return word;
}

/** `_`/`-` separated words, each capitalized; words starting with a digit keep their separator. */
function pascal(text: string): string {
  const words = text.split(/[_-]+/).filter(Boolean);
  return words.map((word, i) => (/^[0-9]/.test(word) && i > 0 ? `_${word}` : word[0]?.toUpperCase() + word.slice(1))).join('') || '_';
}

const lowerFirst = (name: string) => (name[0]?.toLowerCase() ?? '') + name.slice(1);
/** A name with an upper-case first letter (insertPlayer + s -> insertPlayers uses this for the list name). */
export const upperFirst = (name: string): string => (name[0]?.toUpperCase() ?? '') + name.slice(1);

/** The GraphQL names of one table's typed API. */
export interface TableNames {
  /** Object type, e.g. Player. */
  readonly type: string;
  /** One-document query field, e.g. player. */
  readonly one: string;
  /** List query field, e.g. players. */
  readonly many: string;
}

/** The names for a table (see the rules at the top of this file). */
export function tableNamesOf(table: string): TableNames {
  const words = table.split(/([_-]+)/);
  const last = words.pop() ?? '';
  const type = fieldNameOf(pascal([...words, singularOf(last)].join('')));
  const one = fieldNameOf(lowerFirst(type));
  const plural = fieldNameOf(lowerFirst(pascal(table)));
  return { type, one, many: plural === one ? `${one}List` : plural };
}

/** A schema name is used twice: the message says by what, so the user can rename or declare around it. */
export class SchemaNameCollision extends Error {
  override readonly name = 'SchemaNameCollision';
}

/** Records the names a schema build hands out and refuses a second owner for one name. */
export class NameRegistry {
  private readonly owners = new Map<string, string>();
  /** Names claimed (not reserved), in order: what a checkpoint gives back. */
  private readonly claimed: string[] = [];

  /** @param reserved names already taken, with who took them (e.g. the generic API's). */
  constructor(reserved: Iterable<[string, string]> = []) {
    for (const [name, owner] of reserved) this.owners.set(name, owner);
  }

  /** Claims `name` for `owner`; throws SchemaNameCollision naming both owners when it is taken. */
  claim(name: string, owner: string): string {
    const taken = this.owners.get(name);
    if (taken !== undefined) {
      throw new SchemaNameCollision(`GraphQL name "${name}" of ${owner} collides with ${taken}; rename one of them`);
    }
    this.owners.set(name, owner);
    this.claimed.push(name);
    return name;
  }

  /** A function that gives back every name claimed after this call (for a table dropped from a schema build). */
  checkpoint(): () => void {
    const mark = this.claimed.length;
    return () => {
      for (const name of this.claimed.splice(mark)) this.owners.delete(name);
    };
  }
}

/** A table left out of the typed API, and why (for a warning and for `/ready`). */
export interface LeftOutTable {
  readonly table: string;
  readonly reason: string;
}

/**
 * The typed names of `tables`, without type-name clashes between tables (crate and crates both
 * give Crate): every inferred table whose type another table also gets is left out of the typed
 * API (it keeps the generic API), whatever order the tables were found in, and `leftOut` says
 * why. A declared table (in `declared`) keeps its names over inferred ones; two declared tables
 * that clash are both kept, so that building the schema refuses them (a configuration error,
 * SchemaNameCollision) as before. Names clashing with the generic API are not checked here.
 */
export function assignTableNames(tables: readonly string[], declared: ReadonlySet<string> = new Set()): { names: Map<string, TableNames>; leftOut: LeftOutTable[] } {
  const byType = new Map<string, string[]>();
  for (const table of tables) {
    const { type } = tableNamesOf(table);
    byType.set(type, [...(byType.get(type) ?? []), table]);
  }
  const names = new Map<string, TableNames>();
  const leftOut: LeftOutTable[] = [];
  for (const [type, owners] of byType) {
    const kept = owners.length === 1 ? owners : owners.filter((table) => declared.has(table));
    for (const table of owners) {
      if (kept.includes(table)) names.set(table, tableNamesOf(table));
      else leftOut.push({ table, reason: `tables ${owners.map((name) => `"${name}"`).join(' and ')} would get the same GraphQL type "${type}"; "${table}" has no typed fields (rename a table, or declare one in the models file)` });
    }
  }
  return { names, leftOut };
}
