import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { modelVersionOf, resolveModelRef, textInputOf } from '../resolve.ts';
import { type DuplicatesResponse, DuplicatesResponseSchema } from '../schemas.ts';

/**
 * POST /v1/duplicates: groups the near-duplicates in a batch of texts. Two texts are duplicates when
 * their cosine reaches the threshold (the request's, else the model's calibrated `decision.threshold`);
 * groups are the connected components of that graph (single-linkage clustering cut at the threshold),
 * so A~B and B~C put A, B and C in one group even when A and C score below it.
 */
export function duplicatesRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'post',
    path: '/v1/duplicates',
    operationId: 'findDuplicates',
    tags: ['similarity'],
    summary:
      "Group near-duplicate texts (single linkage at the threshold, the model's calibrated one by default)",
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.DuplicatesRequest.openapi('DuplicatesRequest'), {
        texts: ['red running shoes', 'running shoes, red', 'a desk lamp'],
      }),
    },
    responses: {
      200: jsonResponse(
        DuplicatesResponseSchema.openapi('DuplicatesResponse'),
        'The groups of near-duplicates and the pairs that join them.',
        {
          model: 'minilm',
          model_version: '20261128-0300',
          threshold: 0.8,
          groups: [[0, 1]],
          pairs: [{ a: 0, b: 1, score: 0.93 }],
        },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const model = await resolveModelRef(deps.registry, request.model);
    textInputOf(model, '/v1/duplicates');
    c.set('modelVersion', modelVersionOf(model));
    const threshold = request.threshold ?? model.manifest.decision?.threshold;
    if (threshold === undefined) {
      throw new ApiError(
        400,
        'invalid_request',
        `threshold: model "${model.manifest.name}" has no calibrated threshold: give one in the request`,
      );
    }
    const distinct = [...new Set(request.texts)];
    const vectors = await deps.embedderFor(model).embed(distinct);
    const vectorOf = new Map(distinct.map((text, i) => [text, vectors[i]]));
    const embeddings = request.texts.map((text) => vectorOf.get(text)!);
    const body: DuplicatesResponse = {
      model: model.manifest.name,
      model_version: model.manifest.version,
      threshold,
      ...groupDuplicates(embeddings, threshold),
    };
    return c.json(body, 200);
  });
}

/** Pairs scoring >= threshold (cosine, as /v1/similarity scores them) and the connected components they form. */
export function groupDuplicates(
  embeddings: readonly Float32Array[],
  threshold: number,
): Pick<DuplicatesResponse, 'groups' | 'pairs'> {
  const parent = embeddings.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const pairs: DuplicatesResponse['pairs'] = [];
  for (let a = 0; a < embeddings.length; a++) {
    for (let b = a + 1; b < embeddings.length; b++) {
      // Clamped as /v1/similarity does: rounding can put identical texts a hair above 1.
      const score = Math.min(1, Math.max(-1, cosineSimilarity(embeddings[a], embeddings[b])));
      if (score < threshold) continue;
      pairs.push({ a, b, score });
      // The smaller index as the root keeps each group's root at its first member.
      const [ra, rb] = [find(a), find(b)];
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
  const members = new Map<number, number[]>();
  embeddings.forEach((_, i) => {
    const root = find(i);
    members.set(root, [...(members.get(root) ?? []), i]);
  });
  const groups = [...members.values()].filter((g) => g.length > 1).sort((x, y) => x[0] - y[0]);
  return { groups, pairs: pairs.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b) };
}
