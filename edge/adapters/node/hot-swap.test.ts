import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCurrent } from '../../../shared/artifacts/current.ts';
import { artifactPath } from '../../../shared/artifacts/layout.ts';
import { publishTinyModel, temporaryDir } from '../../../test/http/published-model.ts';
import { createHotSwapApp, type HotSwapApp, type SwapLogger } from './hot-swap.ts';
import { createPromMetrics } from './prom-metrics.ts';

const ITEMS = [
  { id: 'a', text: 'a red apple' },
  { id: 'b', text: 'a blue boat' },
  { id: 'c', text: 'a green field' },
];

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
const released: { release(): Promise<void> }[] = [];

/** Publishes `tiny@<version>` with its own index (not made current). */
async function publish(version: string, seed: number): Promise<void> {
  const { embedder } = await publishTinyModel(artifacts.path, {
    name: 'tiny',
    version,
    dim: 8,
    seed,
    collection: { name: 'things', items: ITEMS },
  });
  released.push(embedder);
}

function logger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log: SwapLogger = {
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
  };
  return { lines, log };
}

async function search(app: HotSwapApp): Promise<{ status: number; version: string | null }> {
  const response = await app.fetch(
    new Request('http://edge/v1/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'a red fruit', k: 2, collection: 'things' }),
    }),
  );
  await response.arrayBuffer();
  return { status: response.status, version: response.headers.get('x-model-version') };
}

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-hot-swap-');
  await publish('v1', 1);
  await publish('v2', 2);
});

afterAll(async () => {
  await Promise.all(released.map((embedder) => embedder.release()));
  await artifacts?.remove();
});

describe('the hot-swapping app', () => {
  it('swaps to the version the pointer names, while a request taken before the swap finishes on the old one', async () => {
    await setCurrent(artifacts.path, 'tiny', 'v1');
    const { log, lines } = logger();
    const app = await createHotSwapApp({ artifactsDir: artifacts.path, watchIntervalMs: 0, logger: log });
    try {
      expect(app.serving()).toEqual(['tiny@v1']);
      expect(await app.reload()).toEqual({ status: 'unchanged', serving: ['tiny@v1'] });

      await setCurrent(artifacts.path, 'tiny', 'v2');
      // Taken by the old generation before the reload starts; it must complete against intact models.
      const before = Array.from({ length: 5 }, () => search(app));
      const outcome = await app.reload();
      expect(outcome).toEqual({ status: 'swapped', from: ['tiny@v1'], serving: ['tiny@v2'] });
      expect(await Promise.all(before)).toEqual(Array(5).fill({ status: 200, version: 'tiny@v1' }));
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v2' });
      expect(lines).toEqual([
        {
          level: 'info',
          message: 'serving new model versions',
          fields: { from: ['tiny@v1'], to: ['tiny@v2'] },
        },
      ]);
    } finally {
      await app.close();
    }
  });

  it('keeps counting across a swap, and reports only the versions served now', async () => {
    await setCurrent(artifacts.path, 'tiny', 'v1');
    const metrics = createPromMetrics({ processMetrics: false });
    const app = await createHotSwapApp({
      artifactsDir: artifacts.path,
      watchIntervalMs: 0,
      logger: logger().log,
      operations: { metrics },
    });
    const scrape = async () => {
      const response = await app.fetch(new Request('http://edge/metrics'));
      return response.text();
    };
    const searches = (text: string) =>
      /^dml_edge_http_requests_total\{method="POST",route="\/v1\/search",status="200",model="tiny"\} (\d+)$/m.exec(
        text,
      )?.[1];
    try {
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v1' });
      await setCurrent(artifacts.path, 'tiny', 'v2');
      expect((await app.reload()).status).toBe('swapped');
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v2' });
      const text = await scrape();
      expect(searches(text)).toBe('2');
      expect(text).toContain('dml_edge_model_info{model="tiny",version="v2"');
      expect(text).not.toContain('version="v1"');
    } finally {
      await app.close();
    }
  });

  it('keeps serving the old version when the new one is broken, and says so once', async () => {
    await setCurrent(artifacts.path, 'tiny', 'v1');
    const { log, lines } = logger();
    const app = await createHotSwapApp({ artifactsDir: artifacts.path, watchIntervalMs: 0, logger: log });
    const index = artifactPath(artifacts.path, 'tiny', 'v2', 'index');
    const original = await readFile(index);
    try {
      await writeFile(index, Buffer.concat([original, Buffer.from('tampered')]));
      await setCurrent(artifacts.path, 'tiny', 'v2');
      const outcome = await app.reload();
      expect(outcome).toMatchObject({ status: 'failed', serving: ['tiny@v1'] });
      expect(outcome.status === 'failed' && outcome.error).toMatch(
        /refusing to serve .*index\.db has \d+ bytes/,
      );
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v1' });
      // A poll does not retry (nor log) the same broken versions...
      expect((await app.reload()).status).toBe('failed');
      expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
      // ...until they are fixed and a reload is forced (SIGHUP), or the pointer moves.
      await writeFile(index, original);
      expect(await app.reload({ force: true })).toMatchObject({ status: 'swapped', serving: ['tiny@v2'] });
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v2' });
    } finally {
      await writeFile(index, original);
      await app.close();
    }
  });

  it('follows the pointer on its own when watching', async () => {
    await setCurrent(artifacts.path, 'tiny', 'v1');
    const { log } = logger();
    const app = await createHotSwapApp({ artifactsDir: artifacts.path, watchIntervalMs: 20, logger: log });
    try {
      await setCurrent(artifacts.path, 'tiny', 'v2');
      const deadline = Date.now() + 10_000;
      while (app.serving()[0] !== 'tiny@v2' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(app.serving()).toEqual(['tiny@v2']);
      expect(await search(app)).toEqual({ status: 200, version: 'tiny@v2' });
    } finally {
      await app.close();
    }
  });
});
