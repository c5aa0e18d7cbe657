import { cosineSimilarity } from '../shared/vector.ts';
import type { AppDeps } from './context.ts';
import { embedRequestInputs, type RequestInput } from './image/request-inputs.ts';
import type { LoadedModel } from './ports.ts';

type Pair = readonly [RequestInput, RequestInput];

/**
 * The cosine of each pair's embeddings (/v1/similarity, /v1/verify), clamped to [-1, 1] because float
 * rounding can put near-identical vectors a hair outside it.
 */
export async function pairScores(
  deps: AppDeps,
  model: LoadedModel,
  pairs: readonly Pair[],
): Promise<number[]> {
  const vectorOf = await embedDistinct(deps, model, pairs);
  return pairs.map(([a, b]) => {
    const score = cosineSimilarity(vectorOf.get(inputKey(a))!, vectorOf.get(inputKey(b))!);
    return Math.min(1, Math.max(-1, score));
  });
}

/** Texts by their text, images by their encoding: equal keys embed equally. */
function inputKey(input: RequestInput): string {
  return typeof input === 'string' ? `t${input}` : `i${JSON.stringify(input)}`;
}

/**
 * Pairs often repeat an input (one query against many candidates): each distinct one is embedded once,
 * its errors naming where it first appears (`pairs.3.1`). Concurrent texts share one micro-batch.
 */
async function embedDistinct(
  deps: AppDeps,
  model: LoadedModel,
  pairs: readonly Pair[],
): Promise<Map<string, Float32Array>> {
  const first = new Map<string, { input: RequestInput; where: string }>();
  pairs.forEach((pair, i) => {
    pair.forEach((input, j) => {
      const key = inputKey(input);
      if (!first.has(key)) first.set(key, { input, where: `pairs.${i}.${j}` });
    });
  });
  const embedded = await Promise.all(
    [...first].map(async ([key, { input, where }]) => {
      const [vector] = await embedRequestInputs(deps, model, [input], where);
      return [key, vector] as const;
    }),
  );
  return new Map(embedded);
}
