import type { LoadedModel } from './ports.ts';

/** One answered request, as the metrics middleware saw it. */
export interface RequestSample {
  method: string;
  /** The matched route pattern (`/v1/items/:id/similar`), never the raw path; `unmatched` for a 404. */
  route: string;
  status: number;
  /** The name of the model that answered; '' when none did (/healthz, a refusal before routing). */
  model: string;
  seconds: number;
}

/** One model run: a micro-batch of texts, or the images of one request. */
export interface EmbedRunSample {
  model: string;
  inputs: number;
  seconds: number;
}

/**
 * The app's metrics, behind a port so that each runtime brings its own client library (Node: prom-client,
 * edge/adapters/node/prom-metrics.ts). One instance per server: two servers in one process never share
 * counters. It outlives model swaps, so counters do not restart when a new version goes live.
 */
export interface AppMetrics {
  observeRequest(sample: RequestSample): void;
  observeEmbedRun(sample: EmbedRunSample): void;
  /** The Prometheus text exposition, with the models `serving` now as a gauge. */
  render(serving: readonly LoadedModel[]): Promise<{ contentType: string; body: string }>;
}
