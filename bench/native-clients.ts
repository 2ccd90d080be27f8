// The fan-out benchmark's websocket subscribers in C (bench/native/fanout-client.c), compiled
// here with the machine's C compiler on first use. The load generator shares the gateway's two
// cores: in Node a delivered frame cost the clients ~16 µs of CPU, more than the gateway spent
// sending it, so the figures measured the clients too. Without a compiler (or with
// BENCH_NATIVE_CLIENTS=0) the benchmark uses its Node clients (bench/fanout-client-child.ts).
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inRanges, reportRecords, type OnFrame, type Operation, type Subscribers } from './fanout-clients.js';

const SOURCE = fileURLToPath(new URL('./native/fanout-client.c', import.meta.url));
const BINARY = fileURLToPath(new URL('../node_modules/.cache/rethinkql-bench/fanout-client', import.meta.url));
/** Bytes per record: four doubles, [type, t, receivedAt, error], in the machine's byte order (see `reportRecords`). */
const RECORD_BYTES = 32;

/**
 * The compiled client (built when missing or older than its source), or undefined with the reason
 * when it cannot be: no compiler, BENCH_NATIVE_CLIENTS=0, or a failed build.
 */
export function nativeClient(): { binary: string } | { reason: string } {
  if (process.env.BENCH_NATIVE_CLIENTS === '0') return { reason: 'BENCH_NATIVE_CLIENTS=0' };
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return { binary: BINARY };
  mkdirSync(join(BINARY, '..'), { recursive: true });
  const compiler = process.env.CC ?? 'cc';
  // Built beside and renamed into place, so that an interrupted build never leaves a binary behind.
  const building = `${BINARY}.${process.pid}`;
  const built = spawnSync(compiler, ['-O2', '-o', building, SOURCE], { encoding: 'utf8' });
  if (built.error) return { reason: `no C compiler (${compiler}: ${built.error.message})` };
  if (built.status !== 0) return { reason: `${compiler} failed: ${built.stderr.trim()}` };
  renameSync(building, BINARY);
  return { binary: BINARY };
}

/**
 * `openSubscriberProcesses` (bench/fanout-clients.ts) with `binary` as the client processes:
 * `operations` (one entry per socket) in contiguous ranges over `processes` of them. `onFrame`
 * is called in this process, in batches, with each frame's `receivedAt` as its client read it
 * (CLOCK_MONOTONIC, the clock `clock()` reads).
 */
export async function openNativeSubscriberProcesses(binary: string, url: string, operations: Operation[][], processes: number, onFrame: OnFrame): Promise<Subscribers> {
  const { hostname, port, pathname } = new URL(url);
  const { address } = await lookup(hostname, { family: 4 });
  const children = inRanges(operations, processes).map((mine) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const ready = new Promise<void>((resolve, reject) => {
      let pending = Buffer.alloc(0);
      child.stdout.on('data', (chunk: Buffer) => {
        const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        const whole = data.length - (data.length % RECORD_BYTES);
        // Copied into a buffer of its own: a Float64Array must start on a multiple of 8 bytes.
        // It reads the doubles in the machine's byte order, as the client wrote them.
        reportRecords(new Float64Array(new Uint8Array(data.subarray(0, whole)).buffer), onFrame, resolve);
        pending = Buffer.from(data.subarray(whole));
      });
      child.once('exit', (code) => reject(new Error(`a client process exited (${code}) before its subscriptions started`)));
    });
    const lines = [`${address} ${port} ${pathname} ${mine.length}`];
    mine.forEach((socketOperations, socket) =>
      socketOperations.forEach((payload, j) => lines.push(`${socket} ${JSON.stringify({ id: String(j + 1), type: 'subscribe', payload })}`)),
    );
    child.stdin.write(`${lines.join('\n')}\n\n`);
    return { child, ready };
  });
  try {
    await Promise.all(children.map(({ ready }) => ready));
  } catch (error) {
    for (const { child } of children) child.kill();
    throw error;
  }
  return {
    close: async () => {
      await Promise.all(
        children.map(async ({ child }) => {
          if (child.exitCode !== null) return;
          const exited = once(child, 'exit');
          child.stdin.end();
          await exited;
        }),
      );
    },
  };
}
