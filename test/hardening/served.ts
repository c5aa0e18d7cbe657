import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliRun } from '../retrain/workspace.ts';

/** Test-only: the Node server as a child process, as it runs unattended, and what it says about itself. */

export interface ServedProcess {
  url: string;
  /** Resident memory in MB, from /proc. */
  rssMb(): number;
  /** With the heap probe: [performance.now() in s, MB live after a full collection], one a second. */
  heapSamples(): [number, number][];
  /** SIGKILL, as the OOM killer or a power cut would; resolves when it is gone. */
  kill(): Promise<CliRun>;
  /** SIGTERM, a clean shutdown; resolves when it is gone. */
  stop(): Promise<CliRun>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

export interface ServeOptions {
  /**
   * cli: `dml-edge serve`, exactly what users run. script: serve-child.ts, the same server without the
   * command line's imports of the whole trainer, for tests that restart it many times.
   */
  via: 'cli' | 'script';
  /** Preloads heap-probe.mjs: a full collection and a heap sample every second. */
  heapProbe?: boolean;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = {
  cli: (artifactsDir: string) => ['bin/dml-edge.js', 'serve', '--port', '0', '--artifacts', artifactsDir],
  script: (artifactsDir: string) => ['--import', 'tsx', 'test/hardening/serve-child.ts', artifactsDir],
};
const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.mjs', import.meta.url));

/** Starts a server on `artifactsDir` (port 0) and waits for the address it prints. */
export async function serveInChild(artifactsDir: string, options: ServeOptions): Promise<ServedProcess> {
  const child = spawn(process.execPath, ENTRY[options.via](artifactsDir), {
    cwd: REPO,
    env: {
      ...process.env,
      ...(options.heapProbe ? { NODE_OPTIONS: `--expose-gc --import ${HEAP_PROBE}` } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const heap: [number, number][] = [];
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    for (const [, bytes] of chunk.toString().matchAll(/^heap-probe (\d+)$/gm)) {
      heap.push([performance.now() / 1000, Number(bytes) / 2 ** 20]);
    }
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /serving on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void done.then((run) =>
      reject(new Error(`the server exited (${run.code ?? run.signal}):\n${run.stderr}`)),
    );
  });
  const end = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return done;
  };
  return {
    url,
    rssMb: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    heapSamples: () => [...heap],
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    stderr: () => stderr,
  };
}
