import { describe, expect, it } from 'vitest';
import { PlanCache } from '../src/db/plan-cache.js';
import type { Plan } from '../src/db/plans.js';
import { splitObjectMatch } from '../src/db/object-match.js';
import { parseWhere } from '../src/filter/parse.js';

const split = (where: Record<string, unknown>) => {
  const node = parseWhere(where);
  if (!node) throw new Error('no filter');
  return splitObjectMatch(node);
};

describe('splitObjectMatch', () => {
  it('takes equality with a string, number or boolean, nested paths merged into one object', () => {
    expect(split({ 'team.name': 'red', 'team.size': 3, active: true })).toEqual({ match: { team: { name: 'red', size: 3 }, active: true } });
  });

  it('leaves every other test, and the root or, in the rest', () => {
    const { match, rest } = split({ 'team.name': 'red', score: { gt: 5 }, tags: ['a'], deleted: null, n: { eq: 1, ne: 2 } });
    expect(match).toEqual({ team: { name: 'red' } });
    expect(rest).toEqual(parseWhere({ score: { gt: 5 }, tags: ['a'], deleted: null, n: { eq: 1, ne: 2 } }));
    expect(split({ or: [{ a: 1 }, { b: 2 }] })).toEqual({ rest: parseWhere({ or: [{ a: 1 }, { b: 2 }] }) });
  });

  it('never walks into the fields of a pseudo-type, nor names $ keys or __proto__', () => {
    for (const field of ['at.epoch_time', 'at.timezone', 'geo.type', 'geo.coordinates', 'blob.data', 'a.__proto__', '__proto__', '$x', 'a.$reql_type$']) {
      expect(split({ [field]: 1 }).match).toBeUndefined();
    }
    expect(split({ epoch_time: 1 }).match).toEqual({ epoch_time: 1 });
  });

  it('keeps colliding paths apart: the first is matched, the other tested as a function', () => {
    expect(split({ profile: 'FR', 'profile.country': 'FR' })).toEqual({ match: { profile: 'FR' }, rest: parseWhere({ 'profile.country': 'FR' }) });
    expect(split({ 'profile.country': 'FR', profile: 'FR' })).toEqual({ match: { profile: { country: 'FR' } }, rest: parseWhere({ profile: 'FR' }) });
  });
});

describe('PlanCache', () => {
  const plan = (name: string): Plan => ({ plan: 'scan', query: name as never });
  const none = new Map<string, string>();

  it('builds a selection once and reuses it while its field indexes are the same', () => {
    const cache = new PlanCache();
    let built = 0;
    const build = () => plan(`p${++built}`);
    const first = cache.plan('k', none, build);
    expect(cache.plan('k', new Map(), build)).toBe(first); // no indexes then and now
    const indexes = new Map([['score', 'score']]);
    const replanned = cache.plan('k', indexes, build);
    expect(replanned).not.toBe(first);
    expect(cache.plan('k', indexes, build)).toBe(replanned);
    expect(built).toBe(2);
  });

  it('forgets the least recently used past 256 plans, and keeps no long key', () => {
    const cache = new PlanCache();
    for (let i = 0; i < 256; i++) cache.plan(`k${i}`, none, () => plan(`p${i}`));
    const k0 = cache.plan('k0', none, () => plan('again')); // used: now the newest
    cache.plan('k256', none, () => plan('p256'));
    expect(cache.size).toBe(256);
    expect(cache.plan('k0', none, () => plan('rebuilt'))).toBe(k0);
    expect(cache.plan('k1', none, () => plan('rebuilt')).query).toBe('rebuilt');
    cache.plan('x'.repeat(5000), none, () => plan('long'));
    expect(cache.plan('x'.repeat(5000), none, () => plan('long again')).query).toBe('long again');
  });
});
