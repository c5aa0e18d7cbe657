import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../context.ts';
import { embedRequestInputs } from '../image/request-inputs.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { inputKindOf, modelVersionOf, resolveModelRef } from '../resolve.ts';
import { type EmbedResponse, EmbedResponseSchema } from '../schemas.ts';

/**
 * POST /v1/embed. The pattern of every route: `createRoute` declares the path, its operationId, tag and
 * summary, the request schema (from `deps.requests`, whose bounds are the server's limits) with an
 * example, the success answer and the errors it can give; `app.openapi(route, handler)` serves it, and
 * /openapi.json is generated from these declarations. `readsJsonBody` reads the body as JSON whatever its
 * Content-Type claims; the app's validation hook turns a body that breaks the schema into a 400 naming
 * each field, so the handler sees only a valid request (`c.req.valid('json')`). Other errors are thrown
 * as ApiError (edge/errors.ts) and answered by the app's error handler.
 */
export function embedRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'post',
    path: '/v1/embed',
    operationId: 'embed',
    tags: ['embeddings'],
    summary: 'Embed texts or images as unit vectors',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.EmbedRequest.openapi('EmbedRequest'), {
        inputs: ['red running shoes', 'a blue trail shoe'],
        model: 'minilm',
      }),
    },
    responses: {
      200: jsonResponse(
        EmbedResponseSchema.openapi('EmbedResponse'),
        'One unit vector per input, in input order.',
        { model: 'minilm', model_version: '20261128-0300', dims: 3, embeddings: [[0.6, 0.8, 0]] },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    // Without a model, the first input's kind picks one: an image goes to the image model.
    const model = await resolveModelRef(deps.registry, request.model, inputKindOf(request.inputs[0]));
    c.set('modelVersion', modelVersionOf(model));
    const vectors = await embedRequestInputs(deps, model, request.inputs, 'inputs');
    const body: EmbedResponse = {
      model: model.manifest.name,
      model_version: model.manifest.version,
      dims: model.embedder.dim,
      embeddings: vectors.map((vector) => Array.from(vector)),
    };
    return c.json(body, 200);
  });
}
