import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  classificationRequestSchemas,
  type VerifyResponse,
  VerifyResponseSchema,
} from '../classification-schemas.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { pairScores } from '../pair-scores.ts';
import { inputKindOf, modelVersionOf, resolveModelRef } from '../resolve.ts';

/**
 * POST /v1/verify: is each pair the same identity? `same` is score >= threshold, the threshold being the
 * request's or the one calibrated at evaluation time for a false-accept rate (manifest `verification`).
 */
export function verifyRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { VerifyRequest } = classificationRequestSchemas(deps.requests, deps.limits);
  const route = createRoute({
    method: 'post',
    path: '/v1/verify',
    operationId: 'verify',
    tags: ['classification'],
    summary: 'Verify pairs: the same identity or not, at a calibrated false-accept rate',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(VerifyRequest.openapi('VerifyRequest'), {
        pairs: [['a device for measuring temperature', 'thermometer']],
      }),
    },
    responses: {
      200: jsonResponse(
        VerifyResponseSchema.openapi('VerifyResponse'),
        'One decision per pair, in pair order.',
        {
          model: 'wordnet-text',
          model_version: '20261206-0300',
          threshold: 0.52,
          target_far: 0.001,
          results: [{ score: 0.82, same: true }],
        },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const model = await resolveModelRef(deps.registry, request.model, inputKindOf(request.pairs[0][0]));
    c.set('modelVersion', modelVersionOf(model));
    const calibrated = model.manifest.verification;
    const threshold = request.threshold ?? calibrated?.threshold;
    if (threshold === undefined) {
      throw new ApiError(
        400,
        'invalid_request',
        `threshold: model "${model.manifest.name}" has no calibrated verification threshold: give one in the request`,
      );
    }
    const scores = await pairScores(deps, model, request.pairs);
    const results = scores.map((score) => ({ score, same: score >= threshold }));
    const body: VerifyResponse = {
      model: model.manifest.name,
      model_version: model.manifest.version,
      threshold,
      target_far: request.threshold === undefined ? (calibrated?.target_far ?? null) : null,
      results,
    };
    return c.json(body, 200);
  });
}
