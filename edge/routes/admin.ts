import { Hono } from 'hono';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { requireScope } from '../auth/require-scope.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KeyStore } from '../ports.ts';
import { readJson } from '../read-json.ts';
import type { PromoteResponse, ReloadResponse } from '../schemas.ts';

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
export function adminRoutes(deps: AppDeps, { admin, keys }: AdminDeps): Hono<AppEnv> {
  const adminOnly = requireScope(keys, 'admin');
  return new Hono<AppEnv>()
    .post('/v1/admin/reload', adminOnly, async (c) => c.json(await admin.reload()))
    .post('/v1/admin/models/:name/promote', adminOnly, async (c) => {
      const name = ModelNameSchema.safeParse(c.req.param('name'));
      if (!name.success) throw new ApiError(400, 'invalid_request', `name: ${name.error.issues[0].message}`);
      const request = await readJson(c, deps.requests.PromoteRequest);
      return c.json(await admin.promote(name.data, request.version));
    });
}
