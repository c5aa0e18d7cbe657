import { z } from 'zod';
import { SearchOptionsSchema } from '../../edge/adapters/node/search-options.ts';
import { LEXICAL_RERANK_DEPTH } from '../../shared/search/lexical-rerank.ts';
import { embeddingMatrix } from '../../trainer/eval/matrix.ts';
import { embedFlat, openServedEmbedder } from '../embed/served.ts';
import { type LoadResult, runLoad } from '../http/load.ts';
import { startServerProcess } from '../http/server.ts';
import { readCatalogue } from '../knn/dataset.ts';
import { kthExactDistances, recallAtK } from '../knn/recall.ts';
import { findDefaultTextModel, type PublishedTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import { target, valueRow } from '../rows.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import { glossesAndLemmas, sampleSynsets } from '../wordnet-texts.ts';

const CONCURRENCIES = [1, 16, 32, 64];
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const BODIES = 64;
const SEED = 21;
const RECALL_QUERIES = 200;
const K = 10;
/** The targets for /v1/search on the default index, 2 cores. */
const MIN_SEARCH_RPS = 1000;
const MAX_SEARCH_P99_MS = 50;
const MIN_SEARCH_RECALL = 0.97;

export const httpSection: RunnableSection = {
  name: 'http',
  title: 'http: requests per second and latency of the Node server under load',
  run: runHttp,
};

interface Endpoint {
  /** How the rows name it: the path, and what its bodies ask for where two share a path. */
  name: string;
  path: string;
  bodies: unknown[];
}

async function runHttp(context: SectionContext): Promise<SectionOutcome> {
  const found = await findDefaultTextModel(context.options);
  if ('missing' in found) return { status: 'skipped', notes: [found.missing], rows: [] };
  const texts = glossesAndLemmas(2 * BODIES, SEED);
  const glosses = sampleSynsets(BODIES, SEED + 1).map((s) => s.gloss);
  const endpoints: Endpoint[] = [
    {
      name: '/v1/embed',
      path: '/v1/embed',
      bodies: texts.slice(0, BODIES).map((text) => ({ inputs: [text] })),
    },
    {
      name: '/v1/similarity',
      path: '/v1/similarity',
      bodies: Array.from({ length: BODIES }, (_, i) => ({ pairs: [[texts[2 * i], texts[2 * i + 1]]] })),
    },
    { name: '/v1/search', path: '/v1/search', bodies: glosses.map((query) => ({ query, k: K })) },
    {
      name: '/v1/search (rerank lexical)',
      path: '/v1/search',
      bodies: glosses.map((query) => ({ query, k: K, rerank: 'lexical' })),
    },
  ];

  context.log(`starting the server on ${found.model.dir}`);
  const server = await startServerProcess(context.options.artifactsDir);
  try {
    const rows: Row[] = [];
    for (const endpoint of endpoints) {
      context.log(
        `${endpoint.name}: ${WARMUP_SECONDS} s warm-up, then ${CONCURRENCIES.join(', ')} connections`,
      );
      await runLoad({ url: server.url, connections: 16, seconds: WARMUP_SECONDS, ...endpoint });
      const runs: { connections: number; result: LoadResult }[] = [];
      for (const connections of CONCURRENCIES) {
        runs.push({
          connections,
          result: await runLoad({ url: server.url, connections, seconds: SECONDS, ...endpoint }),
        });
      }
      rows.push(...endpointRows(endpoint.name, runs));
    }
    context.log(`/v1/search: recall@${K} of ${RECALL_QUERIES} answers against exact search`);
    rows.push(await searchRecallRow(server.url, found.model));
    return {
      status: 'ran',
      notes: [
        `The server runs in its own process (bench/http/server-process.ts, the published artifacts, loopback); ` +
          `autocannon drives it from the benchmark process, ${SECONDS} s per concurrency after a ` +
          `${WARMUP_SECONDS} s warm-up per endpoint. Both share the machine's cores.`,
        `Bodies cycle through ${BODIES} WordNet texts: one text per /v1/embed request, one pair per ` +
          `/v1/similarity request, one gloss per /v1/search request (k ${K}, the default collection; ` +
          `with rerank 'lexical' the ${LEXICAL_RERANK_DEPTH} nearest hits are read and reordered).`,
        'Requests per second: median, min and max over the one-second samples of a run. Latency: over every ' +
          'request of the run (median = p50; `runs` is the number of requests).',
        `The server runs with its default search options: /v1/search walks the collection's HNSW graph ` +
          `(ef ${SearchOptionsSchema.parse({}).ef}) stored in index.db; the recall row grades its answers. ` +
          "Errors are counted by kind (autocannon's 10 s timeouts, other connection errors, non-2xx answers).",
      ],
      rows,
    };
  } finally {
    await server.stop();
  }
}

function endpointRows(path: string, runs: { connections: number; result: LoadResult }[]): Row[] {
  const rows: Row[] = [];
  for (const { connections, result } of runs) {
    const figure = `${connections} connection${connections === 1 ? '' : 's'}`;
    const { requestsPerSecond: rps, latency } = result;
    rows.push(
      // One sample per second of the run.
      { group: `${path}: requests per second`, figure, unit: 'req/s', ...rps, runs: SECONDS },
      {
        group: `${path}: latency`,
        figure,
        unit: 'ms',
        median: latency.p50,
        min: latency.min,
        max: latency.max,
        p99: latency.p99,
        runs: result.requests,
      },
    );
  }
  const failures = runs.reduce((sum, run) => sum + run.result.failures, 0);
  const kinds = (kind: keyof LoadResult['failureKinds']) =>
    runs.reduce((sum, run) => sum + run.result.failureKinds[kind], 0);
  rows.push(
    valueRow(
      `${path}: errors`,
      'connection errors, timeouts and non-2xx answers, all runs',
      failures,
      'requests',
      {
        target: target('0', failures === 0),
        ...(failures > 0
          ? {
              note: `${kinds('timeouts')} timeouts, ${kinds('connectionErrors')} other connection errors, ${kinds('non2xx')} non-2xx`,
            }
          : {}),
      },
    ),
  );
  if (path === '/v1/search') rows.push(searchTargetRow(runs));
  return rows;
}

/** The concurrency that best meets the search target: the highest rate among runs with p99 in bounds. */
function searchTargetRow(runs: { connections: number; result: LoadResult }[]): Row {
  const inBounds = runs.filter((run) => run.result.latency.p99 < MAX_SEARCH_P99_MS);
  const best = [...(inBounds.length > 0 ? inBounds : runs)].sort(
    (a, b) => b.result.requestsPerSecond.median - a.result.requestsPerSecond.median,
  )[0];
  const { median } = best.result.requestsPerSecond;
  const p99 = best.result.latency.p99;
  // One figure name in every round (the best concurrency may differ between rounds), so rounds merge.
  return valueRow('/v1/search: target', 'best run', median, 'req/s', {
    target: target(
      `>= ${MIN_SEARCH_RPS.toLocaleString('en-US')} req/s with p99 < ${MAX_SEARCH_P99_MS} ms`,
      median >= MIN_SEARCH_RPS && p99 < MAX_SEARCH_P99_MS,
    ),
    note: `${best.connections} connections, p99 ${p99} ms`,
  });
}

const SearchResponseSchema = z.object({ results: z.array(z.object({ id: z.string() })) });

/**
 * recall@10 of /v1/search answers: the server's hits against exact search over the same index vectors,
 * with the query embedded as the server embeds it (the served ONNX file on onnxruntime-web).
 */
async function searchRecallRow(url: string, published: PublishedTextModel): Promise<Row> {
  if (!published.indexPath) throw new Error(`${published.dir} has no index.db to search`);
  const catalogue = readCatalogue(published.indexPath);
  const rowOfId = new Map(catalogue.ids.map((id, row) => [id, row]));
  const queries = sampleSynsets(RECALL_QUERIES, SEED + 2).map((s) => s.gloss);
  const embedder = await openServedEmbedder(published);
  const queryVectors = await embedFlat(embedder, queries).finally(() => embedder.release());
  const { dim } = catalogue;
  const reference = embeddingMatrix(catalogue.vectors, dim);
  const kth = kthExactDistances(embeddingMatrix(queryVectors, dim), reference, K);

  let sum = 0;
  for (const [i, query] of queries.entries()) {
    const response = await fetch(`${url}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: K }),
    });
    if (!response.ok) throw new Error(`/v1/search answered ${response.status} for ${JSON.stringify(query)}`);
    const { results } = SearchResponseSchema.parse(await response.json());
    const rows = results.map((hit) => rowOfId.get(hit.id) ?? -1);
    if (rows.includes(-1)) throw new Error('/v1/search returned an id that is not in the index');
    sum += recallAtK(rows, queryVectors.subarray(i * dim, (i + 1) * dim), reference, kth[i], K);
  }
  const recall = sum / queries.length;
  return valueRow(
    '/v1/search: recall',
    `recall@${K} against exact search, ${queries.length} glosses`,
    recall,
    '',
    {
      target: target(`>= ${MIN_SEARCH_RECALL}`, recall >= MIN_SEARCH_RECALL),
    },
  );
}
