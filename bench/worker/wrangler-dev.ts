import { collectOutput, freePort, startWranglerDev, stop, waitForReady } from './bench-worker.ts';

export interface WorkerDev {
  url: string;
  /** From spawning `wrangler dev` to its "Ready on": wrangler's build step, bundling and workerd's start. */
  readyMs: number;
  /** Everything wrangler printed so far, for error messages. */
  log(): string;
  stop(): Promise<void>;
}

/** How long wrangler may take to report ready on a loaded machine (it bundles the worker first). */
const START_TIMEOUT_MS = 180_000;

/** `wrangler dev` on a free loopback port over the local bucket in `persistTo`, once it reports ready. */
export async function startWorkerDev(persistTo: string): Promise<WorkerDev> {
  const port = await freePort();
  const started = performance.now();
  const dev = startWranglerDev(port, persistTo);
  const output = collectOutput(dev);
  try {
    await waitForReady(dev, output, START_TIMEOUT_MS);
  } catch (error) {
    await stop(dev);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    readyMs: performance.now() - started,
    log: () => output.text,
    stop: () => stop(dev),
  };
}

/** POSTs a JSON body; resolves with the status once the whole answer has arrived. */
export async function postJson(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}
