import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import config, { codegenSchema } from '../codegen.js';
import { buildSchema as buildGatewaySchema } from '../src/schema/index.js';

it('has a committed schema.graphql that matches the code (run `npm run codegen` after schema changes)', async () => {
  const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
  expect(printSchema(lexicographicSortSchema(buildSchema(committed)))).toBe(codegenSchema);
});

it('has committed typed documents (test/generated, examples/leaderboard/generated) that match the operations (run `npm run codegen`)', async () => {
  const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
  const typed = outputs.filter((output) => !output.filename.endsWith('schema.graphql'));
  expect(typed.map((output) => output.filename).sort()).toEqual(
    expect.arrayContaining([expect.stringMatching(/test\/generated\/graphql\.ts$/), expect.stringMatching(/examples\/leaderboard\/generated\/graphql\.ts$/)]),
  );
  for (const output of typed) {
    const committed = await readFile(output.filename, 'utf8').catch(() => '(missing)');
    expect(committed, `${output.filename} is stale`).toBe(output.content);
  }
}, 60_000);

it('gives a table named events its typed Event type: the channel events are ChannelEvent', () => {
  const { schema } = buildGatewaySchema([{ table: 'events', primaryKey: 'id', fields: [{ key: 'kind', type: { kind: 'scalar', name: 'String' }, required: false }], declared: false }]);
  expect(Object.keys(schema.getType('Event')?.toConfig() ?? {})).not.toHaveLength(0);
  expect(schema.getType('ChannelEvent')).toBeDefined();
  expect(schema.getSubscriptionType()?.getFields().channel?.type.toString()).toBe('ChannelEvent!');
});
