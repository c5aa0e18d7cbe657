import { connect } from 'node:net';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeServerOptions,
  type RunningServer,
  startNodeServer,
} from '../../edge/adapters/node/server.ts';
import {
  defaultStatePath,
  listApiKeys,
  openStateDb,
  revokeApiKey,
} from '../../edge/adapters/node/state-db.ts';
import { ReloadResponseSchema } from '../../edge/schemas.ts';
import { bytesToBase64 } from '../../shared/image/base64.ts';
import {
  createTestKeys,
  everyKindOfModel,
  IMAGE_MODEL,
  TEXT_COLLECTION,
  TEXT_MODEL,
  type TestKeys,
  type Workspace,
} from './fixtures.ts';
import { errorCode, expectCleanAnswer, type Reply, send } from './http.ts';

/**
 * Who gets in and how much they may ask, on real Node servers over one published folder: every write and
 * admin endpoint refuses a missing key (401), a key of too low a scope (403) and a revoked key (401);
 * rate limits answer 429 with Retry-After per address and per key; every request limit is a clear 4xx;
 * CORS is off unless configured; every answer carries the security headers.
 */
let workspace: Workspace;
let keys: TestKeys;
const servers: RunningServer[] = [];

async function serve(options: NodeServerOptions = {}): Promise<string> {
  const server = await startNodeServer({
    port: 0,
    artifactsDir: workspace.artifactsDir,
    watchIntervalMs: 0,
    reloadOnSighup: false,
    ...options,
  });
  servers.push(server);
  return server.url;
}

let open: string;
let locked: string;

beforeAll(async () => {
  ({ workspace, keys } = await everyKindOfModel('dml-access-'));
  open = await serve();
  locked = await serve({ requireKeys: true });
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await workspace?.remove();
});

interface Guarded {
  method: string;
  path: string;
  body?: unknown;
  /** The scope it needs; keys of the scopes below it get 403. */
  scope: 'read' | 'write' | 'admin';
  /** The path with its parameters filled in, where they are not those of `concrete`. */
  at?: string;
  /** Puts in place what the request needs to succeed, before each call that should. */
  prepare?: () => Promise<unknown>;
}

const EVENTS = { events: [{ item_id: '319' }] };
/** A written collection for the write endpoints, with one item. */
const GUARDED = '/v1/collections/guarded';
const writeAs = (path: string, body?: unknown, method = 'POST') =>
  send(open + path, { method, body, key: keys.write });
const guardedCollection = () => writeAs('/v1/collections', { name: 'guarded', model: TEXT_MODEL });
const guardedItem = async () => {
  await guardedCollection();
  return writeAs(`${GUARDED}/items`, { items: [{ id: 'g-1', text: 'a guarded item' }] });
};
const WRITE_AND_ADMIN: Guarded[] = [
  { method: 'POST', path: '/v1/users/{id}/events', body: EVENTS, scope: 'write' },
  {
    method: 'POST',
    path: '/v1/collections',
    body: { name: 'guarded', model: TEXT_MODEL },
    scope: 'write',
    prepare: () => writeAs(GUARDED, undefined, 'DELETE'),
  },
  {
    method: 'DELETE',
    path: '/v1/collections/{name}',
    at: GUARDED,
    scope: 'write',
    prepare: guardedCollection,
  },
  {
    method: 'POST',
    path: '/v1/collections/{name}/items',
    at: `${GUARDED}/items`,
    body: { items: [{ id: 'g-2', text: 'another guarded item' }] },
    scope: 'write',
    prepare: guardedCollection,
  },
  {
    method: 'POST',
    path: '/v1/collections/{name}/items/delete',
    at: `${GUARDED}/items/delete`,
    body: { ids: ['g-1'] },
    scope: 'write',
    prepare: guardedItem,
  },
  {
    method: 'DELETE',
    path: '/v1/collections/{name}/items/{id}',
    at: `${GUARDED}/items/g-1`,
    scope: 'write',
    prepare: guardedItem,
  },
  {
    method: 'POST',
    path: '/v1/collections/{name}/graph',
    at: `${GUARDED}/graph`,
    scope: 'write',
    prepare: guardedItem,
  },
  {
    method: 'POST',
    path: '/v1/collections/{name}/reembed',
    at: `${GUARDED}/reembed`,
    scope: 'write',
    prepare: guardedItem,
  },
  { method: 'POST', path: '/v1/admin/reload', scope: 'admin' },
  { method: 'POST', path: '/v1/admin/models/{name}/promote', body: { version: 'v1' }, scope: 'admin' },
];
const concrete = (path: string) => path.replace('{id}', '42').replace('{name}', TEXT_MODEL);
const BELOW: Record<Guarded['scope'], ('read' | 'write')[]> = {
  read: [],
  write: ['read'],
  admin: ['read', 'write'],
};

function expectUnauthorized(reply: Reply): void {
  expect(errorCode(reply, 401)).toBe('unauthorized');
  expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="dml-edge"');
}

describe('API keys', () => {
  it('the endpoints tested here are every one the OpenAPI document marks as needing a key', async () => {
    const document = JSON.parse((await send(`${open}/openapi.json`)).text) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    const guarded = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.security)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(guarded.sort()).toEqual(WRITE_AND_ADMIN.map(({ method, path }) => `${method} ${path}`).sort());
  });

  for (const endpoint of WRITE_AND_ADMIN) {
    const call = (key?: string, headers?: Record<string, string>) =>
      send(open + (endpoint.at ?? concrete(endpoint.path)), {
        method: endpoint.method,
        body: endpoint.body,
        key,
        headers,
      });

    it(`${endpoint.method} ${endpoint.path}: 401 without a key, with a malformed one and with a revoked one`, async () => {
      expectUnauthorized(await call());
      expectUnauthorized(await call(undefined, { Authorization: 'Basic dXNlcjpwYXNz' }));
      expectUnauthorized(await call('dmle_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
      expectUnauthorized(await call(`${keys[endpoint.scope]}x`));
      for (const scope of ['read', 'write', 'admin'] as const)
        expectUnauthorized(await call(keys.revoked[scope]));
    });

    it(`${endpoint.method} ${endpoint.path}: 403 with a key of a lower scope, 2xx with its scope`, async () => {
      for (const scope of BELOW[endpoint.scope]) {
        const reply = await call(keys[scope]);
        expect(errorCode(reply, 403)).toBe('forbidden');
        expect(reply.text).toContain(`needs ${endpoint.scope}`);
      }
      await endpoint.prepare?.();
      const granted = await call(keys[endpoint.scope]);
      expect(granted.status, granted.text).toBeLessThan(300);
      if (endpoint.scope === 'write') {
        await endpoint.prepare?.();
        expect((await call(keys.admin)).status).toBeLessThan(300);
      }
    });
  }

  it('with --require-keys, reads need a live key too (any scope); /healthz, /readyz, /metrics and /openapi.json stay open', async () => {
    const search = (key?: string) => send(`${locked}/v1/search`, { body: { query: 'tea' }, key });
    expectUnauthorized(await search());
    expectUnauthorized(await search(keys.revoked.read));
    for (const scope of ['read', 'write', 'admin'] as const)
      expect((await search(keys[scope])).status).toBe(200);
    expect((await send(`${locked}/healthz`)).status).toBe(200);
    expect((await send(`${locked}/readyz`)).status).toBe(200);
    expect((await send(`${locked}/metrics`)).status).toBe(200);
    expect((await send(`${locked}/openapi.json`)).status).toBe(200);
  });

  it('are listed without their secrets, and a key revoked while the server runs is refused at once', async () => {
    const state = await openStateDb(defaultStatePath(workspace.artifactsDir));
    try {
      const listed = listApiKeys(state.db);
      expect(
        listed
          .filter((key) => key.revoked_at === null)
          .map((key) => key.scope)
          .sort(),
      ).toEqual(['admin', 'read', 'write']);
      expect(JSON.stringify(listed)).not.toMatch(/dmle_|sha256/);
      const fresh = (await createTestKeys(workspace.artifactsDir)).read;
      const search = () => send(`${locked}/v1/search`, { body: { query: 'tea' }, key: fresh });
      expect((await search()).status).toBe(200);
      const id = fresh.split('_')[1];
      expect(revokeApiKey(state.db, id)).toBe(true);
      expectUnauthorized(await search());
    } finally {
      state.close();
    }
  });
});

describe('rate limits', () => {
  const search = (url: string, init: { key?: string; headers?: Record<string, string> } = {}) =>
    send(`${url}/v1/search`, { body: { query: 'tea', collection: TEXT_COLLECTION }, ...init });

  it('per address: a burst, then 429 with Retry-After and the error body; /healthz is not limited', async () => {
    const url = await serve({ rateLimits: { perAddress: { perSecond: 0.5, burst: 3 } } });
    for (let i = 0; i < 3; i++) expect((await search(url)).status).toBe(200);
    const refused = await search(url);
    expect(errorCode(refused, 429)).toBe('rate_limited');
    expect(refused.text).toContain('this address');
    expect(Number(refused.headers.get('retry-after'))).toBe(2);
    // Another route, the same address: the same bucket; the health check is outside /v1/.
    expect((await send(`${url}/v1/models`)).status).toBe(429);
    expect((await send(`${url}/healthz`)).status).toBe(200);
  });

  it('per address behind a trusted proxy: each X-Forwarded-For client has its own bucket', async () => {
    const trusting = await serve({
      rateLimits: { perAddress: { perSecond: 0.1, burst: 1 } },
      trustProxy: true,
    });
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': `198.51.100.1, ${address}` } });
    expect((await search(trusting, from('203.0.113.1'))).status).toBe(200);
    expect((await search(trusting, from('203.0.113.1'))).status).toBe(429);
    expect((await search(trusting, from('203.0.113.2'))).status).toBe(200);
    // Without trust, the header is the client's to forge: every request counts against the socket's address.
    const wary = await serve({ rateLimits: { perAddress: { perSecond: 0.1, burst: 1 } } });
    expect((await search(wary, from('203.0.113.1'))).status).toBe(200);
    expect((await search(wary, from('203.0.113.2'))).status).toBe(429);
  });

  it('per key: each valid key has its own bucket; requests without a key are not counted against any', async () => {
    const url = await serve({ rateLimits: { perKey: { perSecond: 0.2, burst: 2 } } });
    for (let i = 0; i < 2; i++) expect((await search(url, { key: keys.read })).status).toBe(200);
    const refused = await search(url, { key: keys.read });
    expect(errorCode(refused, 429)).toBe('rate_limited');
    expect(refused.text).toContain('this API key');
    expect(Number(refused.headers.get('retry-after'))).toBe(5);
    expect((await search(url, { key: keys.write })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await search(url)).status).toBe(200);
  });
});

describe('request limits', () => {
  let url: string;
  beforeAll(async () => {
    url = await serve({
      limits: {
        maxBodyBytes: 4096,
        maxBatch: 3,
        maxTextChars: 20,
        maxK: 5,
        defaultK: 2,
        maxImagePixels: 100,
      },
    });
  });

  const refusal = async (path: string, body: unknown, status: number, message: string) => {
    const reply = await send(url + path, { body });
    expectCleanAnswer(reply);
    expect(reply.status, reply.text).toBe(status);
    expect(reply.text).toContain(message);
  };
  const png = (side: number) =>
    bytesToBase64(
      encodePng({ width: side, height: side, channels: 1, depth: 8, data: new Uint8Array(side * side) }),
    );

  it('each configured limit is answered with a clear 4xx', async () => {
    await refusal('/v1/embed', { inputs: ['x'.repeat(5000)] }, 413, 'request bodies are at most 4096 bytes');
    await refusal('/v1/embed', { inputs: ['a', 'b', 'c', 'd'] }, 400, 'at most 3 inputs per request');
    await refusal(
      '/v1/similarity',
      {
        pairs: [
          ['a', 'b'],
          ['a', 'b'],
          ['a', 'b'],
          ['a', 'b'],
        ],
      },
      400,
      'at most 3 pairs',
    );
    await refusal('/v1/embed', { inputs: ['x'.repeat(21)] }, 400, 'texts are at most 20 characters');
    await refusal('/v1/search', { query: 'tea', k: 6 }, 400, 'k must be between 1 and 5');
    const image = { inputs: [{ image: png(11) }], model: IMAGE_MODEL };
    await refusal('/v1/embed', image, 400, 'the image is 11x11, above the 100-pixel limit');
    expect(
      (await send(`${url}/v1/embed`, { body: { inputs: [{ image: png(10) }], model: IMAGE_MODEL } })).status,
    ).toBe(200);
  });

  /** Writes raw bytes to the server and returns everything it answers before closing. */
  const raw = (server: string, request: string) =>
    new Promise<{ status: string; body: unknown }>((resolve, reject) => {
      const socket = connect(Number(new URL(server).port), '127.0.0.1', () => socket.write(request));
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => {
        const [head, body] = text.split('\r\n\r\n');
        resolve({ status: head.split('\r\n')[0], body: JSON.parse(body) });
      });
      socket.on('error', reject);
    });

  it('what Node refuses before the app (long URLs, malformed HTTP, slow requests) gets the error body too', async () => {
    const long = await send(`${url}/v1/items/1/similar?k=${'9'.repeat(20_000)}`);
    expect(errorCode(long, 431)).toBe('headers_too_large');
    expect(await raw(url, 'GET /healthz HTTP/1.1\r\nHost\r\n\r\n')).toEqual({
      status: 'HTTP/1.1 400 Bad Request',
      body: { error: { code: 'invalid_request', message: 'the request is not valid HTTP/1.1' } },
    });
    const impatient = await serve({ requestTimeoutMs: 500 });
    const slow = 'POST /v1/embed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"inputs"';
    expect(await raw(impatient, slow)).toEqual({
      status: 'HTTP/1.1 408 Request Timeout',
      body: { error: { code: 'request_timeout', message: 'the request did not arrive in time' } },
    });
  });
});

describe('names that reach SQL', () => {
  it('are checked before any query: collections by pattern, filter fields against the declared columns', async () => {
    const search = (body: unknown) => send(`${open}/v1/search`, { body });
    const injected = await search({ query: 'x', collection: "products' OR '1'='1" });
    expect(errorCode(injected, 400)).toBe('invalid_request');
    const field = await search({ query: 'x', collection: 'tiny-movies', filter: { 'year = 1 OR 1': 1 } });
    expect(errorCode(field, 400)).toBe('invalid_request');
    expect(JSON.parse(field.text).error.message).toContain(
      'cannot filter on "year = 1 OR 1" (filterable fields: year,',
    );
    // Values are bound parameters: a hostile string is just a value that matches nothing.
    const image = {
      pixels: [
        [0, 255],
        [255, 0],
      ],
    };
    const value = await search({ query: image, collection: 'shapes', filter: { class: "' OR 1=1 --" } });
    expect(value.status, value.text).toBe(200);
    expect(JSON.parse(value.text).results).toEqual([]);
    const intact = await search({ query: 'shoes', collection: TEXT_COLLECTION, k: 10 });
    expect(JSON.parse(intact.text).results).toHaveLength(5);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    send(`${url}/v1/search`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });

  it('is off by default: no browser origin is allowed', async () => {
    expect(
      (await preflight(open, 'https://app.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const reply = await send(`${open}/v1/models`, { headers: { Origin: 'https://app.example' } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins, with the Authorization header, and exposes X-Model-Version', async () => {
    const url = await serve({ cors: { origins: ['https://app.example'] } });
    const allowed = await preflight(url, 'https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(
      (await preflight(url, 'https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const reply = await send(`${url}/v1/search`, {
      body: { query: 'tea' },
      headers: { Origin: 'https://app.example' },
    });
    expect(reply.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(reply.headers.get('access-control-expose-headers')).toMatch(/X-Model-Version/);
  });

  it('refuses an origin that is not scheme://host[:port] when the server starts', async () => {
    await expect(serve({ cors: { origins: ['https://app.example/path'] } })).rejects.toThrow(
      /cors\.origins\.0/,
    );
  });
});

describe('every answer', () => {
  it('carries the security headers and no X-Powered-By, whatever its status', async () => {
    const limited = await serve({ rateLimits: { perAddress: { perSecond: 0.01, burst: 1 } } });
    await send(`${limited}/v1/models`);
    const replies = await Promise.all([
      send(`${open}/v1/models`),
      send(`${open}/v1/search`, { body: '{' }),
      send(`${open}/v1/admin/reload`, { method: 'POST' }),
      send(`${open}/nowhere`),
      send(`${open}/v1/search`),
      send(`${open}/v1/embed`, { body: { inputs: ['x'.repeat(2_000_000)] } }),
      send(`${limited}/v1/models`),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 400, 401, 404, 405, 413, 429]);
    for (const reply of replies) {
      expectCleanAnswer(reply);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('reload answers what it serves', async () => {
    const reply = await send(`${open}/v1/admin/reload`, { method: 'POST', key: keys.admin });
    expect(ReloadResponseSchema.parse(JSON.parse(reply.text))).toEqual({
      status: 'unchanged',
      serving: [`${IMAGE_MODEL}@v1`, 'tiny-recs@v1', `${TEXT_MODEL}@v1`],
    });
  });
});
