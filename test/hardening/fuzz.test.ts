import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { LimitsSchema } from '../../edge/limits.ts';
import { BadRows } from '../../trainer/tasks/recommendation/bad-rows.ts';
import { ItemColumnsSchema, parseItems } from '../../trainer/tasks/recommendation/items.ts';
import { imageInput } from './bad-images.ts';
import {
  everyKindOfModel,
  IMAGE_MODEL,
  RECS_MODEL,
  TEXT_COLLECTION,
  TEXT_MODEL,
  type TestKeys,
  type Workspace,
} from './fixtures.ts';
import { expectCleanAnswer, send } from './http.ts';

/**
 * Property-based fuzzing of every endpoint of a real Node server (text, recommendation and image models
 * loaded, keys in its state database): thousands of generated bodies, mostly wrong (types, sizes,
 * numbers, unicode edge cases, nesting, broken JSON, broken images), each answered with a 2xx or a 4xx
 * carrying the error body, never a 5xx, never a stack trace or a path; the server answers /healthz after
 * every endpoint's run. Deterministic: the seed is fixed, and a failure prints the input that caused it.
 */
const LIMITS = LimitsSchema.parse({});
const RUNS = 260;

/** The recommendation fixture's item ids, read with the trainer's own loader (which drops its bad rows). */
function catalogueIds(): string[] {
  const file = fileURLToPath(new URL('../fixtures/recs/movies.csv', import.meta.url));
  return parseItems(readFileSync(file, 'utf8'), file, ItemColumnsSchema.parse({}), new BadRows(false)).map(
    (item) => item.id,
  );
}
const SEED = 20_261_128;

let workspace: Workspace;
let server: RunningServer;
let keys: TestKeys;

beforeAll(async () => {
  ({ workspace, keys } = await everyKindOfModel('dml-fuzz-'));
  server = await startNodeServer({
    port: 0,
    artifactsDir: workspace.artifactsDir,
    watchIntervalMs: 0,
    reloadOnSighup: false,
  });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await workspace?.remove();
});

// Values a careless or hostile client sends where any one field is expected.
const edgeString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uDFFF\uD800',
    '\uFEFF',
    'e\u0301',
    '\u202Eevil',
    '👩‍👩‍👧‍👦',
    'ẞ',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    "' OR 1=1 --",
    '"; DROP TABLE items; --',
    '../../../etc/passwd',
    '%00',
    '__proto__',
    'a'.repeat(LIMITS.maxTextChars),
    'a'.repeat(LIMITS.maxTextChars + 1),
    '東'.repeat(LIMITS.maxTextChars + 1),
  ),
);
const edgeNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1, LIMITS.maxK, LIMITS.maxK + 1, 4097),
);
const wild: fc.Arbitrary<unknown> = fc.oneof(
  edgeString,
  edgeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(edgeString, { maxLength: 4 }),
);
/** A field that is usually plausible and sometimes anything at all. */
const field = <T>(plausible: fc.Arbitrary<T>) => fc.oneof({ arbitrary: plausible, weight: 3 }, wild);
/** Short arrays of `item`, or empty, or one over the batch limit (of a cheap item: only the count matters). */
const batch = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 8 }), weight: 4 },
    fc.constant(Array(LIMITS.maxBatch + 1).fill('x')),
    fc.constant([]),
  );
const modelName = field(fc.constantFrom(TEXT_MODEL, RECS_MODEL, IMAGE_MODEL, 'missing', 'UPPER', ''));
const collectionName = field(fc.constantFrom(TEXT_COLLECTION, 'tiny-movies', 'shapes', 'missing'));
const itemId = field(fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), edgeString));
const k = field(fc.integer({ min: -2, max: LIMITS.maxK + 2 }));
const filter = field(
  fc.dictionary(
    fc.oneof(
      fc.constantFrom('year', 'comedy', 'label', 'class', 'color', 'year; DROP TABLE items'),
      edgeString,
    ),
    fc.oneof(wild, fc.array(fc.oneof(fc.integer(), edgeString, fc.boolean()), { maxLength: 70 })),
    { maxKeys: 18 },
  ),
);

/** A JSON object with some of `fields` (and sometimes an unknown one). */
function body(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.record(fields, { requiredKeys: [] }), weight: 5 },
    fc.record({ ...fields, unknown: wild }, { requiredKeys: [] }),
    wild,
  );
}

/** Bodies that are not JSON, or JSON nested far deeper than any schema. */
const rawBody = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '{',
    'NaN',
    '{"k": NaN}',
    '{"inputs": ["a"],}',
    '[1,]',
    'null',
    'true',
    '"text"',
    '{"a":1}{"b":2}',
  ),
  fc.integer({ min: 1, max: 200_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => `${'{"inputs":'.repeat(depth)}1${'}'.repeat(depth)}`),
);

interface Target {
  name: string;
  /** Requests a client could mean (edge values, all within the rules) or gets wrong, 1:2. */
  request: fc.Arbitrary<{ path: string; body?: unknown }>;
  key?: () => string;
}

/** Edge values that are still valid where a text is expected. */
const validText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '',
    '\u0000',
    '\uD800',
    '👩‍👩‍👧‍👦',
    'e\u0301',
    '\u202Eevil',
    "' OR 1=1 --",
    'a'.repeat(LIMITS.maxTextChars),
  ),
);
const validK = fc.integer({ min: 1, max: LIMITS.maxK });
const movieId = fc.constantFrom(...catalogueIds());
const userId = fc.oneof(
  fc.integer({ min: 1, max: 170 }).map(String),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const segment = fc.oneof(
  fc.constantFrom('7', '1', 'unknown-user', '%F0%9F%98%80', '%00', '..%2F..', 'a'.repeat(257)),
  fc.string({ minLength: 1 }).map(encodeURIComponent),
);
const some = <T>(item: fc.Arbitrary<T>, maxLength = 8) => fc.array(item, { minLength: 1, maxLength });

function target(
  name: string,
  path: fc.Arbitrary<string>,
  valid: fc.Arbitrary<unknown>,
  broken: fc.Arbitrary<unknown>,
  key?: () => string,
): Target {
  const request = fc.tuple(path, fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: broken, weight: 2 }));
  return { name, key, request: request.map(([p, body]) => ({ path: p, body })) };
}

const TARGETS: Target[] = [
  target(
    'POST /v1/embed',
    fc.constant('/v1/embed'),
    fc.oneof(
      fc.record(
        { inputs: some(validText), model: fc.constantFrom(TEXT_MODEL, RECS_MODEL) },
        { requiredKeys: ['inputs'] },
      ),
      fc.record({ inputs: some(imageInput, 3), model: fc.constant(IMAGE_MODEL) }),
    ),
    body({ inputs: field(batch(fc.oneof(edgeString, imageInput))), model: modelName }),
  ),
  target(
    'POST /v1/similarity',
    fc.constant('/v1/similarity'),
    fc.record(
      { pairs: some(fc.tuple(validText, validText)), model: fc.constant(TEXT_MODEL), explain: fc.boolean() },
      { requiredKeys: ['pairs'] },
    ),
    body({
      pairs: field(batch(fc.oneof(fc.tuple(edgeString, edgeString), fc.array(edgeString, { maxLength: 3 })))),
      model: modelName,
      explain: field(fc.boolean()),
    }),
  ),
  target(
    'POST /v1/duplicates',
    fc.constant('/v1/duplicates'),
    fc.record({ texts: some(validText), threshold: fc.double({ min: -1, max: 1, noNaN: true }) }),
    body({
      texts: field(batch(edgeString)),
      threshold: field(fc.double({ min: -1.5, max: 1.5 })),
      model: modelName,
    }),
  ),
  target(
    'POST /v1/search',
    fc.constant('/v1/search'),
    fc.oneof(
      fc.record(
        { query: validText, k: validK, collection: fc.constantFrom(TEXT_COLLECTION, 'tiny-movies') },
        { requiredKeys: ['query'] },
      ),
      fc.record({
        query: imageInput,
        k: validK,
        collection: fc.constant('shapes'),
        filter: fc.record({ label: fc.oneof(fc.nat(9), some(fc.nat(9))) }, { requiredKeys: [] }),
      }),
    ),
    body({ query: field(fc.oneof(edgeString, imageInput)), k, collection: collectionName, filter }),
  ),
  target(
    'POST /v1/recommend',
    fc.constant('/v1/recommend'),
    fc.record(
      {
        user_id: userId,
        recent_items: some(movieId),
        k: validK,
        exclude_seen: fc.boolean(),
        filter: fc.record({ year: fc.oneof(fc.integer(), some(fc.integer({ min: 1900, max: 2030 }))) }),
      },
      { requiredKeys: ['recent_items'] },
    ),
    body({
      user_id: field(fc.oneof(fc.integer({ min: 0, max: 170 }).map(String), edgeString)),
      recent_items: field(batch(itemId)),
      k,
      exclude_seen: field(fc.boolean()),
      filter,
      model: modelName,
    }),
  ),
  {
    name: 'POST /v1/users/{id}/events',
    key: () => keys.write,
    request: fc.oneof(
      fc.record({
        path: userId.map((id) => `/v1/users/${encodeURIComponent(id)}/events`),
        body: fc.record({
          events: some(
            fc.record(
              {
                item_id: movieId,
                rating: fc.double({ min: -5, max: 10, noNaN: true }),
                timestamp: fc.integer({ min: 0, max: 2 ** 40 }),
              },
              { requiredKeys: ['item_id'] },
            ),
          ),
        }),
      }),
      fc.record({
        path: segment.map((id) => `/v1/users/${id}/events`),
        body: body({
          events: field(
            batch(
              body({
                item_id: itemId,
                rating: field(fc.double({ min: -10, max: 10 })),
                timestamp: field(fc.oneof(fc.integer(), fc.double())),
              }),
            ),
          ),
          model: modelName,
        }),
      }),
    ),
  },
  {
    name: 'GET /v1/items/{id}/similar',
    request: fc.oneof(
      fc.tuple(movieId, validK).map(([id, kk]) => ({ path: `/v1/items/${id}/similar?k=${kk}` })),
      fc
        .tuple(
          segment,
          fc.option(fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), edgeString)),
          fc.option(edgeString),
        )
        .map(([id, kk, collection]) => {
          const query = new URLSearchParams();
          if (kk !== null) query.set('k', kk);
          if (collection !== null) query.set('collection', collection);
          return { path: `/v1/items/${id}/similar?${query}` };
        }),
    ),
  },
  target(
    'POST /v1/admin/models/{name}/promote',
    fc
      .oneof(fc.constantFrom(TEXT_MODEL, RECS_MODEL, IMAGE_MODEL, 'missing'), segment)
      .map((name) => `/v1/admin/models/${name}/promote`),
    fc.constant({ version: 'v1' }),
    body({ version: field(fc.constantFrom('v1', 'v2', '..', 'v1/../v1', '')) }),
    () => keys.admin,
  ),
  target(
    'POST /v1/admin/reload',
    fc.constant('/v1/admin/reload'),
    fc.constant(undefined),
    wild,
    () => keys.admin,
  ),
];

async function stillUp(): Promise<void> {
  expect((await send(`${server.url}/healthz`)).status).toBe(200);
}

describe('fuzzing every endpoint', () => {
  for (const { name, request, key } of TARGETS) {
    it(`${name}: ${RUNS} generated requests, each a 2xx or a clean 4xx`, async () => {
      const method = name.split(' ')[0];
      const codes = new Map<string, number>();
      const slowest = { ms: 0, request: '' };
      await fc.assert(
        fc.asyncProperty(request, async ({ path, body: requestBody }) => {
          const payload = requestBody === undefined ? undefined : JSON.stringify(requestBody);
          const started = performance.now();
          const reply = await send(server.url + path, { method, body: payload, key: key?.() });
          const ms = performance.now() - started;
          if (ms > slowest.ms)
            Object.assign(slowest, { ms, request: `${path} ${payload?.slice(0, 120) ?? ''}` });
          const code = expectCleanAnswer(reply, `${path} ${payload ?? ''}`) ?? String(reply.status);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      console.log(
        `${name}: ${JSON.stringify(Object.fromEntries(codes))}; slowest ${slowest.ms.toFixed(0)} ms`,
      );
      console.log(`  ${slowest.request}`);
      // A good share got through validation: the fuzz reached the handlers, not only the schemas.
      const passed = [...codes].filter(([code]) => code.startsWith('2')).reduce((sum, [, n]) => sum + n, 0);
      expect(passed).toBeGreaterThan(RUNS / 10);
      await stillUp();
    });
  }

  it(`${RUNS} bodies that are not JSON or are nested far too deep, sent to every POST endpoint`, async () => {
    const posts = TARGETS.filter((target) => target.name.startsWith('POST'));
    const sent = fc.constantFrom(...posts).chain(({ request, key }) =>
      fc.tuple(
        request.map(({ path }) => path),
        rawBody,
        fc.constant(key),
      ),
    );
    await fc.assert(
      fc.asyncProperty(sent, async ([path, raw, key]) => {
        const reply = await send(server.url + path, { body: raw, key: key?.() });
        expectCleanAnswer(reply, `${path} ${raw}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    await stillUp();
  });
});
