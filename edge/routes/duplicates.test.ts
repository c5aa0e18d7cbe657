import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../../shared/vector.ts';
import { createTestApp } from '../../test/fixtures/text-app.ts';
import { DuplicatesResponseSchema } from '../schemas.ts';
import { groupDuplicates } from './duplicates.ts';

describe('groupDuplicates', () => {
  const unit = (degrees: number) =>
    Float32Array.of(Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180));

  it('groups connected components: a chain joins even when its ends score below the threshold', () => {
    // cos 20° = 0.94 between neighbours, cos 40° = 0.77 between the ends; the last vector is alone.
    const { groups, pairs } = groupDuplicates([unit(0), unit(20), unit(40), unit(120)], 0.9);
    expect(groups).toEqual([[0, 1, 2]]);
    expect(pairs.map((p) => [p.a, p.b]).sort()).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('lists pairs best first and groups by first member', () => {
    const { groups, pairs } = groupDuplicates([unit(90), unit(0), unit(91), unit(1.5), unit(45)], 0.999);
    expect(groups).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(pairs[0].score).toBeGreaterThanOrEqual(pairs[1].score);
  });
});

describe('POST /v1/duplicates', () => {
  let calibrated: Awaited<ReturnType<typeof createTestApp>>;
  let uncalibrated: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    calibrated = await createTestApp({ explainable: false, threshold: 0.8 });
    uncalibrated = await createTestApp({ explainable: false });
  });
  afterAll(async () => {
    await calibrated?.release();
    await uncalibrated?.release();
  });

  const TEXTS = [
    'red running shoes',
    'a novel about the sea',
    'red running shoes',
    'green tea',
    'a novel about the sea',
  ];

  it('groups repeated texts, whatever the threshold below 1', async () => {
    const reply = await uncalibrated.post('/v1/duplicates', { texts: TEXTS, threshold: 0.9999 });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const body = DuplicatesResponseSchema.parse(reply.body);
    expect(body.groups).toEqual([
      [0, 2],
      [1, 4],
    ]);
    expect(body.threshold).toBe(0.9999);
  });

  it("uses the manifest's calibrated threshold by default, with pairs scored as the model scores them", async () => {
    const body = DuplicatesResponseSchema.parse(
      (await calibrated.post('/v1/duplicates', { texts: TEXTS })).body,
    );
    expect(body.threshold).toBe(0.8);
    const vectors = await calibrated.embed(TEXTS);
    for (const { a, b, score } of body.pairs) {
      expect(score).toBeCloseTo(cosineSimilarity(vectors[a], vectors[b]), 6);
      expect(score).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('answers 400 when neither the request nor the model has a threshold', async () => {
    const reply = await uncalibrated.post('/v1/duplicates', { texts: TEXTS });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toMatch(/no calibrated threshold/);
    expect((await calibrated.post('/v1/duplicates', { texts: [], threshold: 0.5 })).status).toBe(400);
  });
});
