import { readFileSync } from 'node:fs';

/** Settings whose value is JSON: in the file they may be written as objects (`apiKeys`, `permissions`, `channels`). */
const JSON_SETTINGS = new Set(['API_KEYS', 'PERMISSIONS', 'CHANNELS']);

/**
 * Reads a JSON config file into environment-variable form, so it goes through exactly the same
 * parsing and validation as the environment. Keys are the settings in camelCase (`port`,
 * `rethinkdbUrl`, `maxLimit`, …: each environment variable's name in camelCase, and `db` for
 * RETHINKDB_DB). Values are strings, numbers or booleans. Throws an Error naming the file and
 * the offending key; `known` is the list of accepted environment variable names.
 */
export function readConfigFile(path: string, known: ReadonlySet<string>): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`config file ${path} must hold a JSON object`);
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = key === 'db' ? 'RETHINKDB_DB' : key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    if (!known.has(name) || !/^[a-z][A-Za-z0-9]*$/.test(key)) {
      const keys = [...known].map((env) => (env === 'RETHINKDB_DB' ? 'db' : env.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())));
      throw new Error(`config file ${path}: unknown setting "${key}" (known: ${keys.join(', ')})`);
    }
    if (JSON_SETTINGS.has(name) && typeof value === 'object' && value !== null) {
      settings[name] = JSON.stringify(value);
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new Error(`config file ${path}: "${key}" must be a string, number or boolean`);
    }
    settings[name] = String(value);
  }
  return settings;
}
