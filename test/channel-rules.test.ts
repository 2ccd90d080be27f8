import { describe, expect, it } from 'vitest';
import { channelRuleFor, mayPublish, maySubscribe, parseChannelRules } from '../src/subscriptions/channel-rules.js';

const rules = parseChannelRules({
  news: { kind: 'fanout', publishers: ['editor'] },
  'team:*': { kind: 'topic', members: ['player'], publishers: ['player', 'coach'] },
  'team:staff*': { kind: 'topic', members: ['coach'] },
  'user/*': { kind: 'direct', publishers: ['service'] },
});
const player = { role: 'player', userId: '42' };
const coach = { role: 'coach', userId: '7' };
const anonymous = { role: 'guest', userId: null };

describe('channel rules', () => {
  it('fanout: anyone subscribes, only publishers publish', () => {
    expect([player, coach, anonymous].map((caller) => maySubscribe(rules, caller, 'news'))).toEqual([true, true, true]);
    expect(mayPublish(rules, { role: 'editor', userId: null }, 'news')).toBe(true);
    expect(mayPublish(rules, player, 'news')).toBe(false);
  });

  it('topic: only member roles subscribe; the longest matching prefix wins', () => {
    expect(maySubscribe(rules, player, 'team:red')).toBe(true);
    expect(maySubscribe(rules, coach, 'team:red')).toBe(false);
    expect(mayPublish(rules, coach, 'team:red')).toBe(true);
    expect(maySubscribe(rules, coach, 'team:staffroom')).toBe(true);
    expect(maySubscribe(rules, player, 'team:staffroom')).toBe(false);
    expect(mayPublish(rules, player, 'team:staffroom')).toBe(false);
  });

  it('direct: only the user the name ends with subscribes', () => {
    expect(maySubscribe(rules, player, 'user/42')).toBe(true);
    expect(maySubscribe(rules, player, 'user/43')).toBe(false);
    expect(maySubscribe(rules, player, 'user/420')).toBe(false);
    expect(maySubscribe(rules, anonymous, 'user/')).toBe(false);
    expect(mayPublish(rules, player, 'user/42')).toBe(false);
    expect(mayPublish(rules, { role: 'service', userId: null }, 'user/42')).toBe(true);
  });

  it('denies channels no rule names, except to the admin role', () => {
    expect(channelRuleFor(rules, 'other')).toBeUndefined();
    expect(maySubscribe(rules, player, 'other')).toBe(false);
    expect(mayPublish(rules, player, 'other')).toBe(false);
    expect(maySubscribe(rules, { role: 'admin', userId: null }, 'other')).toBe(true);
    expect(mayPublish(rules, { role: 'admin', userId: null }, 'anything')).toBe(true);
  });

  it.each([
    [[], 'must be a JSON object'],
    [{ 'bad name!': { kind: 'fanout' } }, 'channel pattern "bad name!"'],
    [{ x: { kind: 'broadcast' } }, '"kind" must be one of fanout, topic, direct'],
    [{ 'user/': { kind: 'direct' } }, 'a direct pattern ends in *'],
    [{ x: { kind: 'fanout', members: ['a'] } }, '"members" applies to topic channels only'],
    [{ x: { kind: 'topic', members: 'player' } }, '"members" must be a list of role names'],
    [{ x: { kind: 'fanout', publish: ['a'] } }, 'unknown key "publish"'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parseChannelRules(input)).toThrow(message);
  });
});
