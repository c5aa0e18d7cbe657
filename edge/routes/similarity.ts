import { Hono } from 'hono';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { readJson } from '../read-json.ts';
import { modelVersionOf, resolveModel } from '../resolve.ts';
import type { SimilarityResponse } from '../schemas.ts';

export function similarityRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/similarity', async (c) => {
    const request = await readJson(c, deps.requests.SimilarityRequest);
    const model = resolveModel(deps.registry, request.model);
    c.set('modelVersion', modelVersionOf(model));
    // Pairs often repeat a text (one query against many candidates): embed each distinct text once.
    const texts = [...new Set(request.pairs.flat())];
    const vectors = await deps.embedderFor(model).embed(texts);
    const vectorOf = new Map(texts.map((text, i) => [text, vectors[i]]));
    // Clamped because float rounding can put the cosine of near-identical vectors a hair outside [-1, 1].
    const scores = request.pairs.map(([a, b]) => clamp(cosineSimilarity(vectorOf.get(a)!, vectorOf.get(b)!)));
    const decision = model.manifest.decision;
    const body: SimilarityResponse = decision
      ? {
          model: model.manifest.name,
          scores,
          threshold: decision.threshold,
          matches: scores.map((s) => s >= decision.threshold),
        }
      : { model: model.manifest.name, scores };
    return c.json(body);
  });
}

function clamp(score: number): number {
  return Math.min(1, Math.max(-1, score));
}
