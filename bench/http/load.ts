import autocannon from 'autocannon';
import { z } from 'zod';

const HistogramSchema = z.object({
  min: z.number(),
  max: z.number(),
  average: z.number(),
  p50: z.number(),
  p99: z.number(),
});

const ResultSchema = z.object({
  requests: HistogramSchema.extend({ total: z.number().int() }),
  latency: HistogramSchema,
  duration: z.number(),
  errors: z.number().int(),
  timeouts: z.number().int(),
  non2xx: z.number().int(),
});

export interface LoadResult {
  /** Requests completed per second, one sample per second of the run (autocannon's histogram). */
  requestsPerSecond: { median: number; min: number; max: number };
  /** Response latency in ms over every request of the run. */
  latency: { p50: number; p99: number; min: number; max: number };
  requests: number;
  /** Connection errors (timeouts included) plus non-2xx answers: the run must have none. */
  failures: number;
  /** The failures by kind: timeouts (no answer within autocannon's 10 s), other connection errors, non-2xx. */
  failureKinds: { timeouts: number; connectionErrors: number; non2xx: number };
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Request bodies, sent in turn by each connection (autocannon cycles through its request list). */
  bodies: readonly unknown[];
  path: string;
}

/** Drives one endpoint with autocannon at a fixed concurrency for a bounded time. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const raw = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: options.bodies.map((body) => ({
      method: 'POST',
      path: options.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })),
  });
  const result = ResultSchema.parse(raw);
  return {
    requestsPerSecond: { median: result.requests.p50, min: result.requests.min, max: result.requests.max },
    latency: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      min: result.latency.min,
      max: result.latency.max,
    },
    requests: result.requests.total,
    failures: result.errors + result.non2xx,
    failureKinds: {
      timeouts: result.timeouts,
      connectionErrors: result.errors - result.timeouts,
      non2xx: result.non2xx,
    },
  };
}
