import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { envelop, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createDocumentCache, useParseAndValidateCache } from '../src/graphql/plugins/document-cache.js';

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

    // Past half full, a hit still makes a document the most recently used.
    const lru = createDocumentCache({ maxEntries: 4 });
    for (const name of ['a', 'b', 'c']) lru.set(`{ ${name} }`, parse(`{ ${name} }`));
    expect(lru.get('{ a }')).toBeDefined();
    for (const name of ['d', 'e']) lru.set(`{ ${name} }`, parse(`{ ${name} }`));
    expect(lru.get('{ b }')).toBeUndefined();
    expect(lru.get('{ a }')).toBeDefined();

    const many = createDocumentCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) many.set(`{ f${i} }`, parse(`{ f${i} }`));
    expect(many.size).toBe(3);
    expect(many.get('{ f9 }')).toBeDefined();
    expect(many.get('{ f0 }')).toBeUndefined();
  });
});

// The gateway's parse/validate cache plugin (in place of yoga's), in an envelop of its own whose
// first plugin supplies graphql-js's parse and validate and counts their calls.
describe('useParseAndValidateCache (unit)', () => {
  const schemaOf = () => buildSchema('type Query { a: Int, b: String }');
  function enveloped() {
    const calls = { parse: 0, validate: 0 };
    const engine: Plugin = {
      onParse: ({ setParseFn }) => setParseFn((source, options) => (calls.parse++, parse(source, options))),
      onValidate: ({ setValidationFn }) => setValidationFn((...args: Parameters<typeof validate>) => (calls.validate++, validate(...args))),
    };
    const getEnveloped = envelop({ plugins: [engine, useParseAndValidateCache(createDocumentCache())] });
    const run = (schema: GraphQLSchema, source: string): readonly Error[] => {
      const { parse: parseOp, validate: validateOp } = getEnveloped();
      return validateOp(schema, parseOp(source));
    };
    return { calls, run };
  }

  it('parses and validates a document once per schema; a new schema validates it again', () => {
    const { calls, run } = enveloped();
    const schema = schemaOf();
    expect(run(schema, '{ a }')).toEqual([]);
    expect(run(schema, '{ a }')).toEqual([]);
    expect(calls).toEqual({ parse: 1, validate: 1 });
    expect(run(schemaOf(), '{ a }')).toEqual([]);
    expect(calls).toEqual({ parse: 1, validate: 2 });
  });

  it('answers an invalid document with its errors every time, and never caches a parse error', () => {
    const { calls, run } = enveloped();
    const schema = schemaOf();
    for (let i = 0; i < 2; i++) expect(run(schema, '{ nope }').map((error) => error.message)).toEqual(['Cannot query field "nope" on type "Query".']);
    expect(calls).toEqual({ parse: 1, validate: 1 });
    for (let i = 0; i < 2; i++) expect(() => run(schema, '{ a ')).toThrow(/Syntax Error/);
    expect(calls.parse).toBe(3);
  });
});
