import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { pairScores } from '../pair-scores.ts';
import { inputKindOf, modelVersionOf, resolveModelRef, textInputOf } from '../resolve.ts';
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
    // Without a model, the first input's kind picks one: image pairs go to the image model.
    const model = await resolveModelRef(deps.registry, request.model, inputKindOf(request.pairs[0][0]));
    c.set('modelVersion', modelVersionOf(model));
    const scores = await pairScores(deps, model, request.pairs);
    const decision = model.manifest.decision;
    const answered = { model: model.manifest.name, model_version: model.manifest.version, scores };
    const body: SimilarityResponse = decision
      ? { ...answered, threshold: decision.threshold, matches: scores.map((s) => s >= decision.threshold) }
      : answered;
    if (request.explain) {
      const input = textInputOf(model, 'explain');
      // Not through the micro-batcher: explanations need the model's output before normalisation.
      const projector = projectorOf(model.embedder);
      if (!projector) {
        throw new ApiError(
          400,
          'invalid_request',
          `explain: model "${model.manifest.name}" cannot explain its scores: its ONNX file has no output before normalisation`,
        );
      }
      const featurizer = createTextFeaturizer(input.featurizer);
      body.explanations = await explainPairs(
        // A text model: every input was checked to be a text when it was embedded.
        request.pairs as [string, string][],
        featurizer,
        projector,
        model.embedder.dim,
        EXPLAINED_FEATURES,
      );
    }
    return c.json(body, 200);
  });
}
