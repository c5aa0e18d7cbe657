import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppMetrics } from '../../metrics.ts';

/** Seconds: from a cached health check (well under 1 ms) to a slow image batch. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Inputs per model run: powers of two up to the micro-batcher's largest batch and beyond. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface PromMetrics extends AppMetrics {
  /** The registry itself, for tests and for adding metrics of one's own. */
  readonly registry: Registry;
}

/**
 * The AppMetrics port over prom-client, with a registry of its own (never prom-client's global one), so
 * that two servers in one process keep separate counts. Besides the app's metrics it exports Node's
 * process metrics (CPU, memory, event-loop lag, GC) unless `processMetrics` is false.
 *
 * - dml_edge_http_requests_total{method, route, status, model}
 * - dml_edge_http_request_duration_seconds{method, route, status, model} (histogram)
 * - dml_edge_embed_batch_size{model} (histogram: inputs per model run, texts coalesced by the micro-batcher)
 * - dml_edge_embed_duration_seconds{model} (histogram: time per model run)
 * - dml_edge_model_info{model, version, task, input, default} = 1 per model served
 *
 * `route` is the matched route pattern, `model` the name of the model that answered ('' when none did).
 */
export function createPromMetrics(options: { processMetrics?: boolean } = {}): PromMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requestLabels = ['method', 'route', 'status', 'model'] as const;
  const requests = new Counter({
    name: 'dml_edge_http_requests_total',
    help: 'HTTP requests answered, by method, matched route, status and the model that answered.',
    labelNames: requestLabels,
    registers,
  });
  const latency = new Histogram({
    name: 'dml_edge_http_request_duration_seconds',
    help: 'Time from receiving a request to its answer, by method, matched route, status and model.',
    labelNames: requestLabels,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: 'dml_edge_embed_batch_size',
    help: 'Inputs embedded per model run (texts coalesced by the micro-batcher, or one request of images).',
    labelNames: ['model'] as const,
    buckets: BATCH_BUCKETS,
    registers,
  });
  const runTime = new Histogram({
    name: 'dml_edge_embed_duration_seconds',
    help: 'Time per model run.',
    labelNames: ['model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const models = new Gauge({
    name: 'dml_edge_model_info',
    help: 'The model versions being served (1 each); default="true" marks the one requests get by default.',
    labelNames: ['model', 'version', 'task', 'input', 'default'] as const,
    registers,
  });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  return {
    registry,
    observeRequest({ method, route, status, model, seconds }) {
      const labels = { method, route, status: String(status), model };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    observeEmbedRun({ model, inputs, seconds }) {
      batchSize.observe({ model }, inputs);
      runTime.observe({ model }, seconds);
    },
    async render(serving) {
      // Set at each scrape from the generation answering it, so a swapped-out version disappears.
      models.reset();
      serving.forEach(({ manifest }, i) =>
        models.set(
          {
            model: manifest.name,
            version: manifest.version,
            task: manifest.task,
            input: manifest.input.kind,
            default: String(i === 0),
          },
          1,
        ),
      );
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
