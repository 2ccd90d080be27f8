import { checkName } from '../db/names.js';

/** A setting's value could not be used; the message says which and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * One row of the settings table. Its key (camelCase) is also its config-file key; the flag and
 * the environment variable derive from it (`maxLimit`: `--max-limit`, `MAX_LIMIT`) unless given.
 * A value comes from the flag, else the environment variable, else its aliases, else `fallback`;
 * the config file feeds the environment (see file.ts), so flags win over the environment, which
 * wins over the file.
 */
export interface Setting<T> {
  /** Flag name without dashes; false when the setting has no flag (secrets: a command line shows in `ps`). @default the key in kebab-case */
  readonly flag?: string | false;
  /** A boolean setting switched by `--x`, `--no-x` or both; its environment value goes through `parse`. Absent: the flag takes a value. */
  readonly switch?: 'on' | 'off' | 'both';
  /** The flag's value in the help, like `<n>`. */
  readonly arg?: string;
  /** Environment variable. @default the key in UPPER_SNAKE_CASE */
  readonly env?: string;
  /** Older variables read when `env` is unset or empty (the RDM-era names); never config-file keys. */
  readonly aliases?: readonly string[];
  /** Whether an empty value counts: by default an empty variable is unset and an empty flag a value; 'value' or 'unset' for both. */
  readonly empty?: 'value' | 'unset';
  /** false: not a config-file key. */
  readonly file?: false;
  /** In the config file the value may be a JSON object, passed on as JSON text. */
  readonly json?: boolean;
  /** Turns a raw value into the setting's value; `name` says where it came from (`--port`, `PORT`), `env` is the setting's variable. Throws. */
  readonly parse: (raw: string, name: string, env: string) => T;
  /** The value when nothing sets it; undefined when a rule in config.ts decides. */
  readonly fallback: T;
  /** Help lines after the flag column: `{env}` becomes `[ENV]`, `{env=x}` `[ENV=x]`, `{default}` the fallback. */
  readonly help: readonly string[];
}

/** A table of settings, keyed by config-file key. */
export type Settings = Readonly<Record<string, Setting<unknown>>>;

/** The values a table of settings yields, by key. */
export type ValuesOf<S> = { -readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Declares a table of settings (the identity: it only keeps the value types exact). */
export function settings<const S extends Settings>(table: S): S {
  return table;
}

/** The flag of a setting, without dashes; undefined when it has none. */
export function flagOf(key: string, setting: Setting<unknown>): string | undefined {
  return setting.flag === false ? undefined : (setting.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
}

/** The environment variable of a setting. */
export function envOf(key: string, setting: Setting<unknown>): string {
  return setting.env ?? key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Any text, as given. */
export const text = (raw: string): string => raw;

/** An integer from `min` to `max`. */
export function integer(min: number, max: number): (raw: string, name: string) => number {
  return (raw, name) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    }
    return n;
  };
}

/** true / false, also as 1/0, yes/no, on/off (any case). */
export function boolean(raw: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

/** A port, 0 for any free one, or `off` (also false, no, none) for no listener: null. */
export function portOrOff(raw: string, name: string): number | null {
  return /^(off|false|no|none)$/i.test(raw) ? null : integer(0, 65535)(raw, name);
}

/** A database or table name the gateway will create, checked by the data layer's rule. */
export function storageName(kind: 'database' | 'table'): (raw: string, name: string) => string {
  return (raw, name) => {
    try {
      return checkName(kind, raw);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  };
}

/**
 * A CORS origin list: `*` (any origin), `none` or nothing (no cross-origin requests), or
 * comma-separated origins like `https://app.example.com` (scheme, host and port only, as browsers send them).
 */
export function origins(raw: string, name: string): string[] {
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0 || (items.length === 1 && /^none$/i.test(items[0] as string))) return [];
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError(`${name}: * allows every origin and cannot be combined with others (got "${raw}")`);
    return ['*'];
  }
  for (const item of items) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== item) throw new ConfigError(`${name}: "${item}" is not an origin like https://app.example.com (scheme://host[:port], no path or trailing slash)`);
  }
  return items;
}

/** One of `choices`; the message names the setting's variable. */
export function oneOf<const C extends string>(choices: readonly C[]): (raw: string, name: string, env: string) => C {
  return (raw, _name, env) => {
    const found = choices.find((choice) => choice === raw);
    if (found === undefined) throw new ConfigError(`${env} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''} (got "${raw}")`);
    return found;
  };
}
