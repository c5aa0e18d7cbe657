import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context.ts';
import { renderDocsPage } from '../openapi/docs-page.ts';

type DocumentConfig = Parameters<OpenAPIHono['getOpenAPI31Document']>[0];

/** The document's header; its paths and schemas come from the routes' own createRoute declarations. */
export const DOCUMENT_CONFIG: DocumentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'dml-edge',
    version: '1',
    description:
      'Embeddings, similarity, nearest-neighbour search and recommendations with deep-metric-learning models. Every JSON key is snake_case; every error is {"error": {"code", "message"}} (on /v1/embeddings, OpenAI\'s {"error": {"message", "type", "param", "code"}}), its message naming the offending field.',
  },
  tags: [
    { name: 'embeddings', description: "Vectors for texts and images, in our shape and in OpenAI's." },
    { name: 'similarity', description: 'Scores and near-duplicate groups.' },
    { name: 'search', description: 'Nearest neighbours in a collection.' },
    { name: 'classification', description: 'Few-shot classification and verification of pairs.' },
    { name: 'collections', description: 'What can be searched.' },
    { name: 'models', description: 'What serves.' },
    { name: 'recommendations', description: 'Items for users, similar items, and events.' },
    { name: 'admin', description: 'Model reload and promotion (admin scope).' },
    { name: 'operations', description: 'Health, readiness, metrics and this documentation.' },
  ],
};

/**
 * GET /openapi.json and GET /docs, from `document` (the whole app's, generated once on first use: every
 * route is mounted by then). The bearer scheme is declared here, for the routes that need a key.
 */
export function openApiRoutes(document: () => object): OpenAPIHono<AppEnv> {
  let generated: { json: object; html: string } | undefined;
  const once = () => {
    if (!generated) {
      const json = document();
      generated = { json, html: renderDocsPage(json) };
    }
    return generated;
  };
  const openApiJson = createRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    tags: ['operations'],
    summary: 'This document (OpenAPI 3.1)',
    responses: {
      200: {
        description: 'The OpenAPI document.',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
    },
  });
  const docs = createRoute({
    method: 'get',
    path: '/docs',
    operationId: 'docsPage',
    tags: ['operations'],
    summary: 'This document as a readable HTML page (loads nothing from the network)',
    responses: { 200: { description: 'HTML.', content: { 'text/html': { schema: z.string() } } } },
  });

  const app = new OpenAPIHono<AppEnv>()
    .openapi(openApiJson, (c) => c.json(once().json, 200))
    .openapi(docs, (c) => c.html(once().html, 200));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (dml-edge keys create).',
  });
  return app;
}
