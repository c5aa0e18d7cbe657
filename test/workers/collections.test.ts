import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { COLLECTION_WRITES_MESSAGE } from '../../edge/adapters/workers/read-only.ts';
import { ErrorResponseSchema } from '../../edge/schemas.ts';

// Written collections on the Worker, inside workerd: every route of them answers 405 with the reason
// (they are the Node server's), before the Worker loads anything.

describe('written collections on Workers', () => {
  it.each([
    ['POST', '/v1/collections', 'GET, HEAD'],
    ['DELETE', '/v1/collections/tickets', 'GET, HEAD'],
    // No method is taken on the items' paths, so no Allow.
    ['POST', '/v1/collections/tickets/items', null],
    ['POST', '/v1/collections/tickets/items/delete', null],
    ['DELETE', '/v1/collections/tickets/items/t-1', null],
    ['GET', '/v1/collections/tickets/items/t-1', null],
    ['GET', '/v1/collections/tickets/items', null],
    ['GET', '/v1/items/t-1', null],
    ['POST', '/v1/collections/tickets/graph', 'GET, HEAD'],
    ['POST', '/v1/collections/tickets/reembed', 'GET, HEAD'],
  ])('%s %s answers 405 saying why', async (method, path, allow) => {
    const response = await SELF.fetch(`http://worker${path}`, {
      method,
      body: method === 'POST' ? '{"name": "tickets"}' : null,
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    const { error } = ErrorResponseSchema.parse(await response.json());
    expect(error).toEqual({ code: 'method_not_allowed', message: COLLECTION_WRITES_MESSAGE });
    expect(error.message).toMatch(/Node server.*rejects the vec0 extension/);
  });
});
