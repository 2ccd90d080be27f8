import { readFileSync } from 'node:fs';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { dropDatabases, realServer, startTestGateway, uniqueDatabase, type TestGateway } from './support/gateway.js';

// The README's GraphQL examples are what a newcomer pastes into GraphiQL first: each ```graphql
// block must be valid as a whole (named operations, aliases for repeated fields), and its
// queries and mutations must run on the demo data. Each block gets a fresh demo gateway, since
// the mutations of one change what the next expects (the generic block deletes p1).
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => ({
  line: readme.slice(0, match.index).split('\n').length,
  source: match[1] ?? '',
}));

// On a real server the database the examples create gets a name of this file's own (dropped
// afterwards), so parallel test files and later runs never meet it.
const createdDb = realServer ? uniqueDatabase() : 'game';

const leftovers: TestGateway[] = [];
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((gw) => gw.close()));
});

describe('README.md graphql blocks', () => {
  it('are there to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  for (const { line, source } of blocks) {
    const operations = parse(source).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const names = operations.map((operation) => operation.name?.value ?? '(anonymous)');
    it(`the block at line ${line} (${names.join(', ')}) is valid as pasted, and its queries and mutations run on the demo`, async () => {
      const gw = await startTestGateway({ demo: true });
      leftovers.push(gw);
      const document = source.replaceAll('"game"', JSON.stringify(createdDb));
      expect(validate(gw.app.schema.current, parse(document)).map((error) => error.message)).toEqual([]);
      try {
        for (const operation of operations) {
          if (operation.operation === 'subscription') continue; // validated above; subscriptions have tests of their own
          const response = await fetch(`http://127.0.0.1:${gw.app.port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: document, operationName: operation.name?.value }),
          });
          const body = (await response.json()) as { errors?: unknown[] };
          expect(body.errors, `${operation.operation} ${operation.name?.value ?? ''}`).toBeUndefined();
        }
      } finally {
        if (realServer && document.includes(createdDb)) await dropDatabases(realServer, [createdDb]);
      }
    });
  }
});
