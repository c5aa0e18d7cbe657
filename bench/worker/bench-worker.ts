import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPO_ROOT } from '../paths.ts';

/**
 * Cold start and warm latency of the worker through `wrangler dev` (workerd on this machine, local R2),
 * for `npm run bench`. The local bucket must already hold published models
 * (`dml-edge upload --target r2 --local [--persist-to <dir>]`). Cold start is the first request after
 * wrangler reports ready: the isolate then reads the models and indexes from R2, verifies them and
 * starts onnxruntime-web and SQLite. Warm latency is measured on the requests that follow, one at a time.
 */

export const WorkerBenchOptionsSchema = z
  .object({
    /** wrangler's state folder holding the local bucket (default: .wrangler/state beside wrangler.toml). */
    persistTo: z.string().min(1).optional(),
    path: z.string().startsWith('/').default('/v1/search'),
    body: z.unknown().default({ query: 'a domestic animal that barks', k: 10 }),
    warmRequests: z.number().int().positive().default(200),
    /** How long wrangler may take to report ready. */
    startTimeoutMs: z.number().int().positive().default(120_000),
  })
  .strict();
export type WorkerBenchOptions = z.input<typeof WorkerBenchOptionsSchema>;

export interface WorkerBenchResult {
  /** First request, including loading every model and index. */
  coldStartMs: number;
  coldStatus: number;
  warm: { requests: number; p50Ms: number; p90Ms: number; p99Ms: number; meanMs: number };
}

export async function benchWorkerDev(input: WorkerBenchOptions = {}): Promise<WorkerBenchResult> {
  const options = WorkerBenchOptionsSchema.parse(input);
  const port = await freePort();
  const dev = startWranglerDev(port, options.persistTo);
  const log = collectOutput(dev);
  try {
    await waitForReady(dev, log, options.startTimeoutMs);
    const url = `http://127.0.0.1:${port}${options.path}`;
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(options.body),
    };
    const started = performance.now();
    const cold = await fetch(url, init);
    await cold.arrayBuffer();
    const coldStartMs = performance.now() - started;
    if (!cold.ok) {
      throw new Error(`the first request answered ${cold.status}; is the local bucket filled?\n${log.text}`);
    }

    const times: number[] = [];
    for (let i = 0; i < options.warmRequests; i++) {
      const t0 = performance.now();
      const response = await fetch(url, init);
      await response.arrayBuffer();
      times.push(performance.now() - t0);
      if (!response.ok) throw new Error(`request ${i + 2} answered ${response.status}:\n${log.text}`);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return {
      coldStartMs,
      coldStatus: cold.status,
      warm: {
        requests: times.length,
        p50Ms: at(0.5),
        p90Ms: at(0.9),
        p99Ms: at(0.99),
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      },
    };
  } finally {
    await stop(dev);
  }
}

export function startWranglerDev(
  port: number,
  persistTo: string | undefined,
  inspectorPort = 0,
): ChildProcess {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
    'bin/wrangler.js',
  );
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
  ];
  if (persistTo) args.push('--persist-to', resolve(persistTo));
  // Its own process group, so stopping it also stops the workerd it starts.
  return spawn(process.execPath, [bin, ...args], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Everything wrangler dev prints, for error messages. */
export function collectOutput(dev: ChildProcess): { text: string } {
  const log = { text: '' };
  const append = (chunk: Buffer) => {
    log.text += chunk;
  };
  dev.stdout?.on('data', append);
  dev.stderr?.on('data', append);
  return log;
}

export function waitForReady(dev: ChildProcess, log: { text: string }, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const done = (error?: Error) => {
      clearInterval(poll);
      clearTimeout(timer);
      dev.off('exit', onExit);
      if (error) reject(error);
      else resolvePromise();
    };
    const poll = setInterval(() => {
      if (/Ready on http/.test(log.text)) done();
    }, 50);
    const timer = setTimeout(
      () => done(new Error(`wrangler dev was not ready in ${timeoutMs} ms:\n${log.text}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) => done(new Error(`wrangler dev exited (${code}):\n${log.text}`));
    dev.once('exit', onExit);
  });
}

export async function stop(dev: ChildProcess): Promise<void> {
  if (dev.pid === undefined || dev.exitCode !== null) return;
  const exited = new Promise((resolvePromise) => dev.once('exit', resolvePromise));
  process.kill(-dev.pid, 'SIGTERM');
  await exited;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const persistTo = process.argv[2];
  console.log(JSON.stringify(await benchWorkerDev(persistTo ? { persistTo } : {}), null, 2));
}
