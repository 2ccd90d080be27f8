import { envOf, flagOf, type Setting } from './setting.js';
import { SECTIONS } from './settings/index.js';

const INTRO = `Usage: rethinkql [options]

A GraphQL gateway over RethinkDB. With no RETHINKDB_URL it starts an embedded in-memory
database (reqlite) on a free loopback port.`;

/** Width of the flag column; a longer flag gets a line of its own. */
const COLUMN = 25;
const INDENT = ' '.repeat(2 + COLUMN);

/** One entry of the help: the flag column, then the description lines. */
function entry(column: string, lines: readonly string[]): string[] {
  if (column === '') return lines.map((line) => INDENT + line);
  if (column.length < COLUMN) return [`  ${column.padEnd(COLUMN)}${lines[0] ?? ''}`, ...lines.slice(1).map((line) => INDENT + line)];
  return [`  ${column}`, ...lines.map((line) => INDENT + line)];
}

function flagColumn(key: string, setting: Setting<unknown>): string {
  const flag = flagOf(key, setting);
  if (flag === undefined) return '';
  if (setting.switch === 'both') return `--${flag}, --no-${flag}`;
  if (setting.switch === 'on') return `--${flag}`;
  if (setting.switch === 'off') return `--no-${flag}`;
  return `--${flag} ${setting.arg ?? '<value>'}`;
}

/** A setting's help lines, placeholders filled in. Throws if the help does not name its variable, so the help lists every one. */
function describe(key: string, setting: Setting<unknown>): string[] {
  if (!setting.help.some((line) => /\{env[=}]/.test(line))) throw new Error(`setting ${key}: its help must name {env}`);
  if (setting.fallback === undefined && setting.help.some((line) => line.includes('{default}'))) throw new Error(`setting ${key}: {default} without a fallback`);
  const env = envOf(key, setting);
  return setting.help.map((line) =>
    line.replace(/\{env(=[^}]*)?\}/g, (_, value: string | undefined) => `[${env}${value ?? ''}]`).replace('{default}', () => String(setting.fallback)),
  );
}

/** The `--help` text, generated from the settings table: every option, its environment variable in brackets, and its default. */
export const usage = `${[
  INTRO,
  ...SECTIONS.map(({ title, settings }) =>
    [title, ...Object.entries(settings).flatMap(([key, setting]) => entry(flagColumn(key, setting), describe(key, setting)))].join('\n'),
  ),
].join('\n\n')}\n${[...entry('-h, --help', ['print this help']), ...entry('--version', ['print the version'])].join('\n')}\n`;
