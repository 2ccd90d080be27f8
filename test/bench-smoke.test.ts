import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

// Keeps the benchmark harness from rotting: it runs end to end with tiny sizes. Its figures are
// not checked (these machines are noisy); only that every section ran and printed a table.
async function smokeRun(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, output).toBe(0);
  return output;
}

it('runs the benchmark suite with --smoke', async () => {
  const output = await smokeRun();
  expect(output).toContain('machine steadiness: ');
  for (const section of ['1. get-by-id', '2. batched reads', '3. list query', '4. writes', '5. subscription fan-out', 'memory per idle subscription', '6. the GraphQL layer alone', '8a. aggregate', '8b. liveAggregate', '10. trusted documents', '10b. the same without a database', '11. keyset pages']) expect(output).toContain(section);
  expect(output).toMatch(/gateway: 1 request, 100 document fields \(the loader sends .+?\)\s+\| 1(\.00)?\s/);
}, 180_000);

// The fan-out's websocket subscribers run in C where a compiler is (bench/native-clients.ts); the
// Node ones stand in elsewhere, and must work too.
it('runs the fan-out section with the Node subscribers when the C ones are not used', async () => {
  const output = await smokeRun({ BENCH_SECTIONS: '5', BENCH_NATIVE_CLIENTS: '0' });
  expect(output).toContain('websocket subscribers: Node (bench/fanout-client-child.ts), not C: BENCH_NATIVE_CLIENTS=0');
  expect(output).toMatch(/\n\s+3 x 1 query \|\s+\d/);
}, 120_000);
