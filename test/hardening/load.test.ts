import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, publishTextModel, TEXT_COLLECTION, type Workspace } from './fixtures.ts';
import { send } from './http.ts';
import { type ServedProcess, serveInChild } from './served.ts';

/**
 * Saturation: `dml-edge serve` in its own process, held at full load for 60 s by a load generator on
 * loopback (a mix of searches, embeds, similarities and listings over 8 connections, each sending its
 * next request as soon as the last is answered). Every request must succeed; the heap left after a full
 * collection (sampled each second by a probe preloaded into the server) must not trend upwards; and once
 * the load stops, its latency must come back to what it was before.
 */
const SECONDS = 60;
/** Samples before this are warm-up (JIT, caches, pools) and not judged. */
const WARM_UP_SECONDS = 10;
/** Least-squares growth of the live heap over the judged window: a leak of 100 bytes a request is ~5 MB. */
const MAX_GROWTH_MB = 4;

let workspace: Workspace;
let server: ServedProcess;

beforeAll(async () => {
  workspace = await createWorkspace('dml-load-');
  await publishTextModel(workspace.artifactsDir);
  server = await serveInChild(workspace.artifactsDir, { via: 'cli', heapProbe: true });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await workspace?.remove();
});

const json = { 'content-type': 'application/json' };
const REQUESTS = [
  {
    method: 'POST',
    path: '/v1/search',
    headers: json,
    body: JSON.stringify({ query: 'running shoes', k: 3, collection: TEXT_COLLECTION }),
  },
  {
    method: 'POST',
    path: '/v1/embed',
    headers: json,
    body: JSON.stringify({ inputs: ['green tea', 'a brass lamp'] }),
  },
  {
    method: 'POST',
    path: '/v1/similarity',
    headers: json,
    body: JSON.stringify({ pairs: [['a novel', 'a book about the sea']] }),
  },
  { method: 'GET', path: '/v1/models' },
];

/** Median latency of sequential searches, in ms: what one client sees on an otherwise idle server. */
async function idleLatency(count = 40): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const reply = await send(`${server.url}/v1/search`, { body: { query: `tea ${i}`, k: 3 } });
    expect(reply.status).toBe(200);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(count / 2)];
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / n;
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  const covariance = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return covariance / variance;
}

describe('the server at saturation', () => {
  it(
    `answers every request for ${SECONDS} s without errors, keeps its memory flat, and recovers its latency`,
    async () => {
      await idleLatency(); // warms the JIT and caches, so `before` is the server's steady idle latency
      const before = await idleLatency();
      const started = performance.now();
      const rss = [server.rssMb()];
      const result = await autocannon({
        url: server.url,
        connections: 8,
        duration: SECONDS,
        timeout: 10,
        requests: REQUESTS,
      });
      rss.push(server.rssMb());
      const loadedFrom = started / 1000 + WARM_UP_SECONDS;
      const judged = server
        .heapSamples()
        .filter(([second]) => second >= loadedFrom && second <= loadedFrom + SECONDS - WARM_UP_SECONDS);
      const growth = slope(judged) * (judged.at(-1)![0] - judged[0][0]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = await idleLatency();
      console.log(
        `${result.requests.total} requests in ${SECONDS} s (${result.requests.average.toFixed(0)}/s), ` +
          `latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms; live heap ` +
          `${judged[0][1].toFixed(1)} -> ${judged.at(-1)![1].toFixed(1)} MB (trend ${growth.toFixed(2)} MB over ` +
          `${judged.length} samples), rss ${rss[0].toFixed(0)} -> ${rss[1].toFixed(0)} MB; ` +
          `idle latency ${before.toFixed(1)} ms before, ${after.toFixed(1)} ms after`,
      );

      expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({
        errors: 0,
        timeouts: 0,
        non2xx: 0,
      });
      expect(result['2xx']).toBe(result.requests.total);
      // Saturated: far more requests than one sequential client would send.
      expect(result.requests.total).toBeGreaterThan((SECONDS * 1000) / before);
      expect(judged.length).toBeGreaterThan((SECONDS - WARM_UP_SECONDS) / 2);
      expect(growth).toBeLessThan(MAX_GROWTH_MB);
      expect(after).toBeLessThan(Math.max(2 * before, before + 20));
      expect((await send(`${server.url}/healthz`)).status).toBe(200);
    },
    SECONDS * 1000 + 60_000,
  );
});
