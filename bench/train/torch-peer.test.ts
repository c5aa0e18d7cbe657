import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { createLoss } from '../../trainer/metric/index.ts';
import { useWasmBackend } from '../../trainer/metric/testing/backend.ts';
import { CnnShapeSchema } from '../../trainer/tasks/image/cnn.ts';
import { cnnPeerCase, mlpPeerCase } from './peer-jobs.ts';
import {
  MULTI_SIMILARITY,
  type PeerAnswer,
  type PeerJob,
  runTorchPeer,
  TORCH_PYTHON,
  TRIPLET_MARGIN,
  timedResult,
} from './torch-peer.ts';

useWasmBackend();

const hasTorch = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const TIMING = { warmup: 1, repeats: 2, budgetSeconds: 5, minRuns: 1 };

async function answer(jobs: PeerJob[]): Promise<PeerAnswer> {
  const outcome = await runTorchPeer(jobs, 120);
  if ('missing' in outcome) throw new Error(outcome.missing);
  return outcome.answer;
}

it('a missing interpreter is reported with how to install PyTorch, not thrown', async () => {
  const outcome = await runTorchPeer([], 10, '/nonexistent/python3');
  expect(outcome).toEqual({ missing: expect.stringContaining('apt-get install python3-torch') });
});

// The CI machine has no torch: these run where `python3-torch` is installed (TORCH_PYTHON, /usr/bin/python3).
describe.skipIf(!hasTorch)(`the PyTorch peer (skipped: no torch for ${TORCH_PYTHON})`, () => {
  it('trains networks with the trainable parameter counts of ours, on one thread', async () => {
    const tiny = CnnShapeSchema.parse({ height: 8, width: 8, convWidths: [4, 8], embeddingDim: 16 });
    const cases = [mlpPeerCase(16, TIMING), cnnPeerCase(16, TIMING, tiny)];
    const text: PeerJob = {
      model: 'text',
      buckets: 50,
      embeddingDim: 4,
      outputDim: 6,
      scale: 20,
      symmetric: true,
      learningRate: 0.002,
      batches: [0, 1].map((seed) => ({ anchors: featureBatch(seed), positives: featureBatch(seed + 2) })),
      ...TIMING,
    };
    const result = await answer([...cases.map((c) => c.job), text]);
    expect(result.threads).toBe(1);
    for (const [i, model] of (['mlp', 'cnn'] as const).entries()) {
      const timed = timedResult(result, model);
      if (typeof timed === 'string') throw new Error(timed);
      expect(timed.parameters).toBe(cases[i].ourParameters);
      expect(timed.samplesMs).toHaveLength(TIMING.repeats);
      expect(Number.isFinite(timed.loss)).toBe(true);
    }
    const textResult = timedResult(result, 'text');
    if (typeof textResult === 'string') throw new Error(textResult);
    expect(textResult.parameters).toBe(50 * 4 + 4 * 6 + 6);
    expect(textResult.batch).toBe(5);
  });

  it('computes the losses ours computes on the same embeddings', async () => {
    const random = mulberry32(3);
    const rows = 12;
    const matrix = () =>
      Array.from({ length: rows }, () => Array.from({ length: 6 }, () => random() * 2 - 1));
    const embeddings = matrix();
    const refEmbeddings = matrix();
    const labels = Array.from({ length: rows }, (_, i) => i % 3);
    const { alpha, beta, base } = MULTI_SIMILARITY;
    const mnrl = { scale: 20, symmetric: true };
    const result = await answer([
      { model: 'loss', loss: 'triplet_margin', embeddings, labels, margin: TRIPLET_MARGIN.margin },
      { model: 'loss', loss: 'multi_similarity', embeddings, labels, alpha, beta, base },
      { model: 'loss', loss: 'multiple_negatives_ranking', embeddings, labels, refEmbeddings, ...mnrl },
    ]);
    const ours = [
      ourLoss(createLoss({ name: 'triplet_margin' }), embeddings, labels),
      ourLoss(createLoss({ name: 'multi_similarity' }), embeddings, labels),
      ourLoss(
        createLoss({ name: 'multiple_negatives_ranking', ...mnrl }),
        embeddings,
        range(rows),
        refEmbeddings,
      ),
    ];
    const peer = result.results.map((r) => ('loss' in r ? r.loss : Number.NaN));
    for (const [i, value] of ours.entries()) {
      expect(value).toBeGreaterThan(0);
      expect(Math.abs(peer[i] - value)).toBeLessThan(1e-5 * Math.max(1, value));
    }
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function ourLoss(
  loss: ReturnType<typeof createLoss>,
  embeddings: number[][],
  labels: number[],
  ref?: number[][],
): number {
  const value = tf.tidy(() => {
    const y = tf.tensor1d(labels, 'int32');
    const options = ref ? { refEmbeddings: tf.tensor2d(ref), refLabels: y } : {};
    return loss.compute(tf.tensor2d(embeddings), y, options);
  });
  const [result] = value.dataSync();
  value.dispose();
  loss.dispose();
  return result;
}

/** Five texts of three feature slots each over 50 buckets; the last slot is padding (weight 0). */
function featureBatch(seed: number) {
  const random = mulberry32(seed);
  const batch = 5;
  const length = 3;
  return {
    ids: Array.from({ length: batch * length }, () => Math.floor(random() * 50)),
    weights: Array.from({ length: batch * length }, (_, i) => (i % length === length - 1 ? 0 : 1 + random())),
    batch,
    length,
  };
}
