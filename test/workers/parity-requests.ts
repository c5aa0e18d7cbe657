import type { IndexItem } from '../../trainer/index/build-index.ts';

/**
 * The requests both builds answer in test/workers: the global setup sends them to the Node server, the
 * workerd tests send them to the worker through SELF.fetch, and the replies must agree.
 */

export const ITEMS: IndexItem[] = [
  { id: 'shoe-1', text: 'red running shoes for the road', metadata: { color: 'red', sizes: [40, 41] } },
  { id: 'shoe-2', text: 'blue trail running shoes', metadata: { color: 'blue' } },
  { id: 'car-1', text: 'a small electric city car' },
  { id: 'tea-1', text: 'green tea with jasmine flowers', metadata: { nested: { caffeine: true } } },
  { id: 'book-1', text: 'a novel about the sea and an old fisherman' },
  { id: 'lamp-1', text: 'brass desk lamp with a warm light' },
];

/** The labelled collection of the second model (class in metadata.topic), built at index time. */
export const TOPIC_ITEMS: IndexItem[] = [
  { id: 'f-1', text: 'red running shoes for the road', metadata: { topic: 'footwear' } },
  { id: 'f-2', text: 'leather boots for hiking', metadata: { topic: 'footwear' } },
  { id: 'f-3', text: 'blue trail running shoes', metadata: { topic: 'footwear' } },
  { id: 'd-1', text: 'green tea with jasmine flowers', metadata: { topic: 'drinks' } },
  { id: 'd-2', text: 'a cup of black coffee', metadata: { topic: 'drinks' } },
  { id: 'd-3', text: 'fresh orange juice', metadata: { topic: 'drinks' } },
];

/** Labelled examples for the /v1/classify requests. */
const CLASSIFY_EXAMPLES = [
  { input: 'red running shoes', label: 'shoes' },
  { input: 'blue trail running shoes', label: 'shoes' },
  { input: 'green tea with jasmine', label: 'tea' },
  { input: 'a cup of black tea', label: 'tea' },
];

export interface ParityRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export const PARITY_REQUESTS = {
  health: { method: 'GET', path: '/healthz' },
  ready: { method: 'GET', path: '/readyz' },
  models: { method: 'GET', path: '/v1/models' },
  collections: { method: 'GET', path: '/v1/collections' },
  embed: {
    method: 'POST',
    path: '/v1/embed',
    body: { inputs: ['red running shoes', '', '東京の天気 🎉', 'x'.repeat(10_000), 'a warm lamp'] },
  },
  embedNamedModel: {
    method: 'POST',
    path: '/v1/embed',
    body: { inputs: ['red running shoes', 'tea'], model: 'another' },
  },
  similarity: {
    method: 'POST',
    path: '/v1/similarity',
    body: {
      pairs: [
        ['red running shoes', 'blue trail running shoes'],
        ['red running shoes', 'green tea with jasmine'],
        ['same text', 'same text'],
      ],
    },
  },
  search: {
    method: 'POST',
    path: '/v1/search',
    body: { query: 'shoes for running', k: 4, collection: 'products' },
  },
  searchLexical: {
    method: 'POST',
    path: '/v1/search',
    body: { query: 'running shoes in red', k: 4, collection: 'products', rerank: 'lexical' },
  },
  searchDefaults: { method: 'POST', path: '/v1/search', body: { query: 'a cup of tea' } },
  searchAll: { method: 'POST', path: '/v1/search', body: { query: 'light', k: 100 } },
  invalidEmbed: { method: 'POST', path: '/v1/embed', body: { inputs: [] } },
  unknownModel: { method: 'POST', path: '/v1/embed', body: { inputs: ['x'], model: 'nope' } },
  unknownCollection: { method: 'POST', path: '/v1/search', body: { query: 'x', collection: 'nope' } },
  classify: {
    method: 'POST',
    path: '/v1/classify',
    body: { inputs: ['running shoes', 'a cup of tea', 'a lamp'], examples: CLASSIFY_EXAMPLES },
  },
  classifyKnn: {
    method: 'POST',
    path: '/v1/classify',
    body: {
      inputs: ['running shoes', 'a cup of tea'],
      examples: CLASSIFY_EXAMPLES,
      method: 'knn',
      k: 3,
      threshold: 0.2,
    },
  },
  classifyCollection: {
    method: 'POST',
    path: '/v1/classify',
    body: { inputs: ['running shoes', 'a cup of tea'], model: 'another', collection: 'topics' },
  },
  classifyCollectionKnn: {
    method: 'POST',
    path: '/v1/classify',
    body: {
      inputs: ['hiking boots', 'orange juice'],
      model: 'another',
      collection: 'topics',
      method: 'knn',
      k: 3,
    },
  },
  classifyUnlabelledCollection: {
    method: 'POST',
    path: '/v1/classify',
    body: { inputs: ['shoes'], collection: 'products', method: 'knn' },
  },
  classifyOneLabel: {
    method: 'POST',
    path: '/v1/classify',
    body: { inputs: ['shoes'], examples: CLASSIFY_EXAMPLES.slice(0, 2) },
  },
  verify: {
    method: 'POST',
    path: '/v1/verify',
    body: {
      pairs: [
        ['red running shoes', 'running shoes, red'],
        ['red running shoes', 'green tea'],
      ],
      threshold: 0.5,
    },
  },
  verifyUncalibrated: { method: 'POST', path: '/v1/verify', body: { pairs: [['a', 'b']] } },
} satisfies Record<string, ParityRequest>;

export type ParityName = keyof typeof PARITY_REQUESTS;

export interface RecordedReply {
  status: number;
  modelVersion: string | null;
  body: unknown;
}

/** Sends one of the requests with `fetch` (global fetch in Node, SELF.fetch in workerd). */
export async function sendParityRequest(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  base: string,
  request: ParityRequest,
): Promise<RecordedReply> {
  const response = await fetcher(`${base}${request.path}`, {
    method: request.method,
    ...(request.body === undefined
      ? {}
      : { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }),
  });
  return {
    status: response.status,
    modelVersion: response.headers.get('x-model-version'),
    body: await response.json(),
  };
}
