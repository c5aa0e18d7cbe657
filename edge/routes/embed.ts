import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { embedRequestInputs } from '../image/request-inputs.ts';
import { readJson } from '../read-json.ts';
import { modelVersionOf, resolveModel } from '../resolve.ts';
import type { EmbedResponse } from '../schemas.ts';

export function embedRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/embed', async (c) => {
    const request = await readJson(c, deps.requests.EmbedRequest);
    const model = resolveModel(deps.registry, request.model);
    c.set('modelVersion', modelVersionOf(model));
    const vectors = await embedRequestInputs(deps, model, request.inputs, 'inputs');
    const body: EmbedResponse = {
      model: model.manifest.name,
      dims: model.embedder.dim,
      embeddings: vectors.map((vector) => Array.from(vector)),
    };
    return c.json(body);
  });
}
