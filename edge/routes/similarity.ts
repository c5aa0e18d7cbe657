import { Hono } from 'hono';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { readJson } from '../read-json.ts';
import { modelVersionOf, resolveModel, textInputOf } from '../resolve.ts';
import { EXPLAINED_FEATURES, type SimilarityResponse } from '../schemas.ts';
import { explainPairs, projectorOf } from './similarity-explain.ts';

export function similarityRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/similarity', async (c) => {
    const request = await readJson(c, deps.requests.SimilarityRequest);
    const model = resolveModel(deps.registry, request.model);
    const input = textInputOf(model, '/v1/similarity');
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
    if (request.explain) {
      // Not through the micro-batcher: explanations need the model's output before normalisation.
      const projector = projectorOf(model.embedder);
      if (!projector) {
        throw new ApiError(
          400,
          'invalid_request',
          `model "${model.manifest.name}" cannot explain its scores: its ONNX file has no output before normalisation`,
        );
      }
      const featurizer = createTextFeaturizer(input.featurizer);
      body.explanations = await explainPairs(
        request.pairs,
        featurizer,
        projector,
        model.embedder.dim,
        EXPLAINED_FEATURES,
      );
    }
    return c.json(body);
  });
}

function clamp(score: number): number {
  return Math.min(1, Math.max(-1, score));
}
