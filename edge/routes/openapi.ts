import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { buildOpenApiDocument } from '../openapi.ts';

export function openApiRoutes({ requests }: AppDeps): Hono<AppEnv> {
  const document = buildOpenApiDocument(requests);
  return new Hono<AppEnv>().get('/openapi.json', (c) => c.json(document));
}
