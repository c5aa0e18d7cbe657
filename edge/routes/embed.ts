import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { embedRequestInputs } from '../image/request-inputs.ts';
import { readJson } from '../read-json.ts';
import { inputKindOf, modelVersionOf, resolveModel } from '../resolve.ts';
import type { EmbedResponse } from '../schemas.ts';

export function embedRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/embed', async (c) => {
    const request = await readJson(c, deps.requests.EmbedRequest);
    // Without a model, the first input's kind picks one: an image goes to the image model.
    const model = resolveModel(deps.registry, request.model, inputKindOf(request.inputs[0]));
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
