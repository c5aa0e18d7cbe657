import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_FEATURIZER } from '../../test/fixtures/text-app.ts';
import { MAX_EXPLAINED_PAIRS, SimilarityResponseSchema } from '../schemas.ts';

let explainable: Awaited<ReturnType<typeof createTestApp>>;
let plain: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  explainable = await createTestApp({ explainable: true, threshold: 0.5 });
  plain = await createTestApp({ explainable: false });
});
afterAll(async () => {
  await explainable?.release();
  await plain?.release();
});

const PAIRS: [string, string][] = [
  ['a red running shoe', 'red shoes for running'],
  ['the cat sat on the mat', 'a dog barked at the mailman'],
  ['identical text', 'identical text'],
  ['', 'an empty text against a full one'],
  ['東京タワー 🗼', 'Tokyo tower'],
];

describe('POST /v1/similarity with explain: true', () => {
  it('returns terms that add up to each returned score', async () => {
    const reply = await explainable.post('/v1/similarity', { pairs: PAIRS, explain: true });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const body = SimilarityResponseSchema.parse(reply.body);
    expect(body.explanations).toHaveLength(PAIRS.length);
    body.explanations!.forEach((explanation, i) => {
      const side = (s: typeof explanation.a) => s.features.reduce((sum, f) => sum + f.contribution, s.rest);
      const total = side(explanation.a) + side(explanation.b) + explanation.bias;
      expect(total).toBeCloseTo(body.scores[i], 5);
    });
  });

  it('names the features of each text, largest contribution first, at most 20 listed', async () => {
    const reply = await explainable.post('/v1/similarity', { pairs: [PAIRS[0]], explain: true });
    const [explanation] = SimilarityResponseSchema.parse(reply.body).explanations!;
    const names = new Set(TEST_FEATURIZER.explain(PAIRS[0][0]).map((f) => f.feature));
    expect(explanation.a.features.length).toBe(20);
    for (const f of explanation.a.features) expect(names.has(f.feature)).toBe(true);
    const magnitudes = explanation.a.features.map((f) => Math.abs(f.contribution));
    expect(magnitudes).toEqual([...magnitudes].sort((x, y) => y - x));
    expect(explanation.b.features.some((f) => f.feature === 'w:running')).toBe(true);
  });

  it('leaves explanations out unless asked, and keeps the scores the same', async () => {
    const asked = SimilarityResponseSchema.parse(
      (await explainable.post('/v1/similarity', { pairs: PAIRS, explain: true })).body,
    );
    const reply = SimilarityResponseSchema.parse(
      (await explainable.post('/v1/similarity', { pairs: PAIRS })).body,
    );
    expect(reply.explanations).toBeUndefined();
    expect(reply.scores).toEqual(asked.scores);
  });

  it('answers 400 for a model without the unnormalised output, and for too many pairs', async () => {
    const refused = await plain.post('/v1/similarity', { pairs: PAIRS, explain: true });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/cannot explain/);
    const pairs = Array.from({ length: MAX_EXPLAINED_PAIRS + 1 }, (_, i): [string, string] => [
      `a ${i}`,
      'b',
    ]);
    const tooMany = await explainable.post('/v1/similarity', { pairs, explain: true });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toMatch(/at most 16 pairs/);
  });
});
