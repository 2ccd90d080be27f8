import { readFileSync } from 'node:fs';
import { ConfigError, envOf } from './setting.js';
import { SECTIONS } from './settings/index.js';

/** The config-file keys, in help order: each setting's key, its variable, and whether it may be a JSON object. */
const KEYS = SECTIONS.flatMap(({ settings }) =>
  Object.entries(settings)
    .filter(([, setting]) => setting.file !== false)
    .map(([key, setting]) => ({ key, env: envOf(key, setting), json: setting.json === true })),
);

/**
 * Reads a JSON config file into environment-variable form, so it goes through exactly the same
 * parsing and validation as the environment. Keys are the settings' keys in camelCase (`port`,
 * `rethinkdbUrl`, `maxLimit`, `db`, …: see the settings table); a key spelt as its variable in
 * camelCase is accepted too (`rethinkdbDb`). Values are strings, numbers or booleans, or objects
 * for the JSON settings (`apiKeys`, `permissions`, `channels`). Throws ConfigError naming the
 * file and the offending key.
 */
export function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const variable = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const setting = /^[a-z][A-Za-z0-9]*$/.test(key) ? KEYS.find((known) => known.key === key || known.env === variable) : undefined;
    if (!setting) throw new ConfigError(`config file ${path}: unknown setting "${key}" (known: ${KEYS.map((known) => known.key).join(', ')})`);
    if (setting.json && typeof value === 'object' && value !== null) {
      settings[setting.env] = JSON.stringify(value);
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new ConfigError(`config file ${path}: "${key}" must be a string, number or boolean`);
    }
    settings[setting.env] = String(value);
  }
  return settings;
}
