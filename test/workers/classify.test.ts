import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ClassifyResponseSchema, VerifyResponseSchema } from '../../edge/classification-schemas.ts';
import { PARITY_REQUESTS, type ParityName, sendParityRequest } from './parity-requests.ts';
import { seedBucket } from './seed.ts';

// /v1/classify and /v1/verify inside workerd: the same answers as the Node server gave in the global setup.

const objects = inject('r2Objects');
const nodeReplies = inject('nodeReplies');

beforeAll(async () => {
  await seedBucket(env.MODELS, objects);
});

const workerReply = (name: ParityName) =>
  sendParityRequest((url, init) => SELF.fetch(url, init), 'http://worker', PARITY_REQUESTS[name]);

describe('classification and verification on Workers', () => {
  it.each(['classify', 'classifyKnn', 'classifyCollection', 'classifyCollectionKnn'] as const)(
    '%s: the same classes, scores to 1e-5',
    async (name) => {
      const worker = await workerReply(name);
      const node = nodeReplies[name];
      expect([worker.status, worker.modelVersion]).toEqual([200, node.modelVersion]);
      const actual = ClassifyResponseSchema.parse(worker.body);
      const expected = ClassifyResponseSchema.parse(node.body);
      expect(actual.results.map((r) => [r.label, r.runner_up?.label ?? null, r.unknown])).toEqual(
        expected.results.map((r) => [r.label, r.runner_up?.label ?? null, r.unknown]),
      );
      actual.results.forEach((r, i) => expect(r.score).toBeCloseTo(expected.results[i].score, 5));
      if (expected.threshold === null) expect(actual.threshold).toBeNull();
      else expect(actual.threshold).toBeCloseTo(expected.threshold, 5);
    },
  );

  it('verify: the same scores and decisions', async () => {
    const worker = await workerReply('verify');
    const actual = VerifyResponseSchema.parse(worker.body);
    const expected = VerifyResponseSchema.parse(nodeReplies.verify.body);
    expect(worker.status).toBe(200);
    expect(actual.results.map((r) => r.same)).toEqual(expected.results.map((r) => r.same));
    actual.results.forEach((r, i) => expect(r.score).toBeCloseTo(expected.results[i].score, 5));
  });

  it.each(['classifyUnlabelledCollection', 'classifyOneLabel', 'verifyUncalibrated'] as const)(
    '%s: the same 400 and message',
    async (name) => {
      const reply = await workerReply(name);
      expect(reply.status).toBe(400);
      expect(reply).toEqual(nodeReplies[name]);
    },
  );
});
