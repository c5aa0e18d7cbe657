import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { requireScope } from '../auth/require-scope.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, NEEDS_KEY, V1_ERRORS } from '../openapi/responses.ts';
import type { KeyStore } from '../ports.ts';
import {
  type PromoteResponse,
  PromoteResponseSchema,
  type ReloadResponse,
  ReloadResponseSchema,
} from '../schemas.ts';

/** The server's model loading as the admin endpoints drive it (Node: hot-swap over the artifacts folder). */
export interface ModelAdmin {
  /**
   * Serves what the `current` pointers name now. When those versions cannot be served it throws an
   * ApiError (409 artifact_rejected) and the versions already serving go on.
   */
  reload(): Promise<ReloadResponse>;
  /**
   * Makes a published version live: verifies every file against its manifest, switches the model's
   * `current` pointer, reloads. ApiErrors: 404 for an unknown model or version, 409 when it cannot serve.
   */
  promote(model: string, version: string): Promise<PromoteResponse>;
}

export interface AdminDeps {
  admin: ModelAdmin;
  keys: KeyStore;
}

/** POST /v1/admin/reload and POST /v1/admin/models/{name}/promote, both for keys with the admin scope. */
export function adminRoutes(deps: AppDeps, { admin, keys }: AdminDeps): OpenAPIHono<AppEnv> {
  const adminOnly = requireScope(keys, 'admin');
  const serving = ['minilm@20261128-0300', 'fashion-cnn@20261127-2200'];
  const reload = createRoute({
    method: 'post',
    path: '/v1/admin/reload',
    operationId: 'reloadModels',
    tags: ['admin'],
    summary: 'Serve what the `current` pointers name now (API key with the admin scope)',
    security: NEEDS_KEY,
    middleware: [adminOnly] as const,
    responses: {
      200: jsonResponse(ReloadResponseSchema.openapi('ReloadResponse'), 'What serves now.', {
        status: 'swapped',
        serving,
      }),
      ...errorResponses(401, 403, 409, ...V1_ERRORS),
    },
  });
  const promote = createRoute({
    method: 'post',
    path: '/v1/admin/models/{name}/promote',
    operationId: 'promoteModel',
    tags: ['admin'],
    summary:
      'Make a published version live: verified, its `current` pointer switched, served at once (admin scope)',
    security: NEEDS_KEY,
    middleware: [adminOnly, readsJsonBody] as const,
    request: {
      params: z.object({ name: ModelNameSchema.meta({ example: 'minilm' }) }),
      body: jsonBody(deps.requests.PromoteRequest.openapi('PromoteRequest'), { version: '20261128-0300' }),
    },
    responses: {
      200: jsonResponse(PromoteResponseSchema.openapi('PromoteResponse'), 'The version now live.', {
        model: 'minilm',
        version: '20261128-0300',
        previous: '20261121-0300',
        serving,
      }),
      ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>()
    .openapi(reload, async (c) => c.json(await admin.reload(), 200))
    .openapi(promote, async (c) => {
      const { name } = c.req.valid('param');
      const { version } = c.req.valid('json');
      return c.json(await admin.promote(name, version), 200);
    });
}
