import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { modelVersionOf, resolveModel, textInputOf } from '../resolve.ts';
import { EXPLAINED_FEATURES, type SimilarityResponse, SimilarityResponseSchema } from '../schemas.ts';
import { explainPairs, projectorOf } from './similarity-explain.ts';

export function similarityRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'post',
    path: '/v1/similarity',
    operationId: 'similarity',
    tags: ['similarity'],
    summary: 'Cosine similarity of pairs of inputs',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.SimilarityRequest.openapi('SimilarityRequest'), {
        pairs: [['red running shoes', 'running shoes, red']],
      }),
    },
    responses: {
      200: jsonResponse(
        SimilarityResponseSchema.openapi('SimilarityResponse'),
        'One score per pair; with the threshold and the match decisions when the model has a calibrated one.',
        { model: 'minilm', model_version: '20261128-0300', scores: [0.93], threshold: 0.8, matches: [true] },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
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
    const answered = { model: model.manifest.name, model_version: model.manifest.version, scores };
    const body: SimilarityResponse = decision
      ? { ...answered, threshold: decision.threshold, matches: scores.map((s) => s >= decision.threshold) }
      : answered;
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
    return c.json(body, 200);
  });
}

function clamp(score: number): number {
  return Math.min(1, Math.max(-1, score));
}
