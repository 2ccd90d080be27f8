import { isJsonObject } from '../util/json.js';

/**
 * Who may subscribe to and publish on which channels. Three kinds of channel:
 * - `fanout`: every caller may subscribe (announcements, a public lobby);
 * - `topic`: only callers whose role is a member may subscribe (a team's chat);
 * - `direct`: a private channel per user: the part of the name the pattern's `*` matches is a
 *   user id, and only the caller with that user id may subscribe (`user/*` -> `user/42`).
 * Publishing is always limited to the rule's `publishers` roles. A channel no rule names is
 * open to the admin role only (default deny); the admin role may do everything.
 */
export type ChannelKind = 'fanout' | 'topic' | 'direct';

export interface ChannelRule {
  readonly kind: ChannelKind;
  /** Roles that may subscribe to a `topic` channel. */
  readonly members: ReadonlySet<string>;
  /** Roles that may publish. */
  readonly publishers: ReadonlySet<string>;
}

/** Rules by pattern: an exact channel name, or a prefix ending in `*`. The most specific pattern wins. */
export type ChannelRules = ReadonlyMap<string, ChannelRule>;

/** The part of a caller's identity the channel rules look at. */
export interface ChannelCaller {
  readonly role: string;
  readonly userId: string | null;
}

const ADMIN = 'admin';
const KINDS: readonly ChannelKind[] = ['fanout', 'topic', 'direct'];
const RULE_KEYS = new Set(['kind', 'members', 'publishers']);
const PATTERN = /^[\w.:/@-]{0,199}\*?$/;

function roles(value: unknown, where: string): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || !value.every((role): role is string => typeof role === 'string' && /^[\w-]{1,64}$/.test(role))) {
    throw new Error(`${where} must be a list of role names`);
  }
  return new Set(value);
}

/**
 * Parses the `channels` setting: `{ "<pattern>": { "kind": "fanout" | "topic" | "direct",
 * "members": [roles], "publishers": [roles] } }`. Throws an Error naming the pattern and key.
 */
export function parseChannelRules(input: unknown): ChannelRules {
  const rules = new Map<string, ChannelRule>();
  if (input === undefined) return rules;
  if (!isJsonObject(input)) throw new Error('must be a JSON object of channel patterns');
  for (const [pattern, rule] of Object.entries(input)) {
    const where = `channel pattern "${pattern}"`;
    if (pattern === '' || !PATTERN.test(pattern)) throw new Error(`${where}: a channel name, or a prefix ending in * (letters, digits and _ . : / @ -)`);
    if (!isJsonObject(rule)) throw new Error(`${where}: must be an object like { "kind": "fanout", "publishers": ["editor"] }`);
    const unknown = Object.keys(rule).find((key) => !RULE_KEYS.has(key));
    if (unknown) throw new Error(`${where}: unknown key "${unknown}" (known: ${[...RULE_KEYS].join(', ')})`);
    const kind = rule.kind;
    if (typeof kind !== 'string' || !KINDS.includes(kind as ChannelKind)) throw new Error(`${where}: "kind" must be one of ${KINDS.join(', ')}`);
    if (kind === 'direct' && !pattern.endsWith('*')) throw new Error(`${where}: a direct pattern ends in * (the user id), e.g. "user/*"`);
    if (kind !== 'topic' && rule.members !== undefined) throw new Error(`${where}: "members" applies to topic channels only`);
    rules.set(pattern, { kind: kind as ChannelKind, members: roles(rule.members, `${where}: "members"`), publishers: roles(rule.publishers, `${where}: "publishers"`) });
  }
  return rules;
}

/** The rule for a channel and what its pattern's `*` matched: the exact name first, then the longest prefix. */
export function channelRuleFor(rules: ChannelRules, channel: string): { rule: ChannelRule; rest: string } | undefined {
  const exact = rules.get(channel);
  if (exact) return { rule: exact, rest: '' };
  let best: { rule: ChannelRule; rest: string; length: number } | undefined;
  for (const [pattern, rule] of rules) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (channel.startsWith(prefix) && (!best || prefix.length > best.length)) best = { rule, rest: channel.slice(prefix.length), length: prefix.length };
  }
  return best && { rule: best.rule, rest: best.rest };
}

/** Whether `caller` may subscribe to `channel`. */
export function maySubscribe(rules: ChannelRules, caller: ChannelCaller, channel: string): boolean {
  if (caller.role === ADMIN) return true;
  const found = channelRuleFor(rules, channel);
  if (!found) return false;
  switch (found.rule.kind) {
    case 'fanout':
      return true;
    case 'topic':
      return found.rule.members.has(caller.role);
    case 'direct':
      return caller.userId !== null && found.rest === caller.userId;
  }
}

/** Whether `caller` may publish on `channel`. */
export function mayPublish(rules: ChannelRules, caller: ChannelCaller, channel: string): boolean {
  if (caller.role === ADMIN) return true;
  return channelRuleFor(rules, channel)?.rule.publishers.has(caller.role) ?? false;
}
