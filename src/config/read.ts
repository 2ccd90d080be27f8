import { parseArgs } from 'node:util';
import { ConfigError, envOf, flagOf, type Setting, type Settings, type ValuesOf } from './setting.js';
import { SECTIONS } from './settings/index.js';

/** Environment variables (and the config file's settings, in the same form). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The command line, parsed: flag name (without dashes) to its value. */
export type Flags = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** The parseArgs options: a string option per valued setting, `--x` / `--no-x` per switch, and -h / --help. */
const OPTIONS: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
for (const { settings } of SECTIONS) {
  for (const [key, setting] of Object.entries(settings)) {
    const flag = flagOf(key, setting);
    if (flag === undefined) continue;
    if (setting.switch === undefined) OPTIONS[flag] = { type: 'string' };
    if (setting.switch === 'on' || setting.switch === 'both') OPTIONS[flag] = { type: 'boolean' };
    if (setting.switch === 'off' || setting.switch === 'both') OPTIONS[`no-${flag}`] = { type: 'boolean' };
  }
}
OPTIONS.help = { type: 'boolean', short: 'h' };
OPTIONS.version = { type: 'boolean' };

/**
 * Parses the command line (no positional arguments). Throws ConfigError for an unknown or malformed
 * option: one line saying what is wrong (with the nearest known option for a misspelt one) and
 * where the list of options is, not the whole help, whose 130 lines would push the error off screen.
 */
export function parseFlags(argv: readonly string[]): Flags {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: OPTIONS }).values;
  } catch (error) {
    throw new ConfigError(`${describeParseError(error as Error & { code?: string })}; \`rethinkql --help\` (or \`npm start -- --help\`) lists every option`);
  }
}

/** parseArgs's message, without its advice about positional arguments (this command takes none). */
function describeParseError(error: Error & { code?: string }): string {
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^'=]*)/.exec(error.message)?.[1] : undefined;
  if (unknown === undefined) return error.message.replace(/\.$/, '');
  const near = nearestOption(unknown.replace(/^-+/, ''));
  return `Unknown option '${unknown}'${near === undefined ? '' : ` (did you mean --${near}?)`}`;
}

/** The known option closest to a misspelt one (at most two edits away), if any. */
function nearestOption(name: string): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of Object.keys(OPTIONS)) {
    const distance = editDistance(name, option);
    if (distance <= 2 && (!best || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * One setting's value: its flag, else its environment variable, else its aliases, else its
 * fallback (an empty variable counts as unset, an empty flag as a value, unless `empty` says otherwise). Throws ConfigError naming where the
 * bad value came from.
 */
export function readSetting<T>(key: string, setting: Setting<T>, flags: Flags, env: Env): T {
  const flag = flagOf(key, setting);
  const variable = envOf(key, setting);
  if (flag !== undefined && setting.switch !== undefined) {
    if (flags[flag] === true) return setting.parse('true', `--${flag}`, variable);
    if (flags[`no-${flag}`] === true) return setting.parse('false', `--no-${flag}`, variable);
  } else if (flag !== undefined) {
    const value = flags[flag];
    if (typeof value === 'string' && (value !== '' || setting.empty !== 'unset')) return parsed(setting, value, `--${flag}`, variable);
  }
  for (const name of [variable, ...(setting.aliases ?? [])]) {
    const value = env[name];
    if (value !== undefined && (value !== '' || (setting.empty === 'value' && name === variable))) return parsed(setting, value, name, variable);
  }
  return setting.fallback;
}

/** Every value of a table of settings (see readSetting). */
export function readValues<S extends Settings>(table: S, flags: Flags, env: Env): ValuesOf<S> {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table)) values[key] = readSetting(key, setting, flags, env);
  // Each value is its setting's parse result or fallback, as ValuesOf says; TypeScript cannot follow that through Object.entries.
  return values as ValuesOf<S>;
}

function parsed<T>(setting: Setting<T>, raw: string, name: string, variable: string): T {
  try {
    return setting.parse(raw, name, variable);
  } catch (error) {
    // The auth parsers throw plain Errors that already name the setting.
    throw error instanceof ConfigError ? error : new ConfigError((error as Error).message);
  }
}
