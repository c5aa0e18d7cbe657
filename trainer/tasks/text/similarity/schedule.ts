import { deriveSeed, mulberry32 } from '../../../../shared/random.ts';

/**
 * Multi-task batching: each step trains on one batch from one source, drawn with probability
 * proportional to the source's weight (sentence-transformers' "proportional" multi-dataset sampling,
 * with weights instead of dataset sizes). `at(step)` returns the source and how many batches that source
 * served before, a pure function of the step, so a resumed run continues each source's stream exactly.
 */
export interface SourceSchedule {
  at(step: number): { source: number; batch: number };
}

export function createSourceSchedule(weights: readonly number[], seed: number): SourceSchedule {
  if (weights.length === 0 || !weights.every((w) => w > 0))
    throw new Error('source weights must be positive');
  const total = weights.reduce((a, b) => a + b, 0);
  const sources: number[] = [];
  const batches: number[] = [];
  const served = new Array<number>(weights.length).fill(0);
  const extendTo = (step: number) => {
    while (sources.length <= step) {
      const u = mulberry32(deriveSeed(seed, sources.length))() * total;
      let source = 0;
      for (let acc = weights[0]; acc <= u && source < weights.length - 1; acc += weights[++source]);
      sources.push(source);
      batches.push(served[source]++);
    }
  };
  return {
    at(step) {
      extendTo(step);
      return { source: sources[step], batch: batches[step] };
    },
  };
}
