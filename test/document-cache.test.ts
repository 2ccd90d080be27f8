import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentCache } from '../src/graphql/plugins/document-cache.js';

// Issue 21, item 4: distinct large documents must not pile up in the parse cache.
describe('document cache (unit)', () => {
  it('does not keep a document over maxEntryBytes', () => {
    const cache = createDocumentCache({ maxEntryBytes: 1000 });
    const large = `{ a(s: "${'x'.repeat(600)}") }`;
    cache.set(large, parse(large));
    expect(cache.get(large)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used documents to stay within maxBytes and maxEntries', () => {
    const cache = createDocumentCache({ maxBytes: 300, maxEntries: 10, maxEntryBytes: 300 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => `{ ${name}(s: "${'x'.repeat(40)}") }`) as [string, string, string]; // 2 × 52 bytes each
    cache.set(a, parse(a));
    cache.set(b, parse(b));
    expect(cache.get(a)).toBeDefined(); // now b is the least recently used
    cache.set(c, parse(c));
    expect(cache.bytes).toBeLessThanOrEqual(300);
    expect(cache.get(b)).toBeUndefined();
    expect(cache.get(a)).toBeDefined();
    expect(cache.get(c)).toBeDefined();

    const many = createDocumentCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) many.set(`{ f${i} }`, parse(`{ f${i} }`));
    expect(many.size).toBe(3);
    expect(many.get('{ f9 }')).toBeDefined();
    expect(many.get('{ f0 }')).toBeUndefined();
  });
});
