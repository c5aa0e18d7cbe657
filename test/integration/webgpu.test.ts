import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { parseManifest } from '../../shared/manifest.ts';
import { describeBackend, initBackend } from '../../trainer/backend/index.ts';
import { firstLine, probeWebGpu, releaseWebGpu } from '../../trainer/backend/webgpu.ts';
import { initTextEncoder, TextEncoderShapeSchema } from '../../trainer/encoder/text-encoder.ts';
import { createLoss, createMiner, LossConfigSchema } from '../../trainer/metric/index.ts';
import { relativeError } from '../../trainer/metric/testing/gradients.ts';
import { LOSS_CASES } from '../../trainer/metric/testing/loss-cases.ts';
import { BASE_VARIANTS, embeddingsOf, prepare } from '../../trainer/metric/testing/loss-harness.ts';
import { nextItemExamples } from '../../trainer/tasks/recommendation/examples.ts';
import { createRecsLoss } from '../../trainer/tasks/recommendation/loss.ts';
import { recsStep } from '../../trainer/tasks/recommendation/step.ts';
import { initRecsWeights, trainableArrays } from '../../trainer/tasks/recommendation/towers.ts';
import { textPairStep } from '../../trainer/tasks/text/model/text-pair-step.ts';
import { AdamConfigSchema, createAdamState } from '../../trainer/train/adam.ts';
import { pairLossOf } from '../../trainer/train/pair-loss.ts';
import { readAndDispose } from '../../trainer/train/read-back.ts';
import { runCliInProcess } from '../cli/in-process.ts';
import { tinyCnnTrainer } from '../fixtures/tiny-cnn-trainer.ts';

/**
 * WebGPU against tfjs' pure-JS cpu backend (its reference kernels), on the CPU stand-in where no GPU is
 * here (npm run setup:webgpu-cpu). Without an adapter these tests are skipped and say why, unless
 * DML_EDGE_REQUIRE_WEBGPU=1 (CI sets it): then the missing adapter fails the run.
 */
const adapterMissing = await probeWebGpu().then(
  () => undefined,
  (error) => firstLine(error),
);
const REQUIRED = process.env.DML_EDGE_REQUIRE_WEBGPU === '1';
if (adapterMissing && !REQUIRED) {
  console.warn(
    `webgpu tests skipped: ${adapterMissing} (npm run setup:webgpu-cpu installs the CPU stand-in)`,
  );
}

describe.runIf(adapterMissing && REQUIRED)('webgpu required (DML_EDGE_REQUIRE_WEBGPU=1)', () => {
  it('has an adapter', () => {
    throw new Error(`DML_EDGE_REQUIRE_WEBGPU=1 but ${adapterMissing}`);
  });
});

const title = adapterMissing ? `webgpu (skipped: ${adapterMissing})` : 'webgpu against the cpu backend';
describe.skipIf(adapterMissing !== undefined)(title, () => {
  beforeAll(async () => {
    const backend = await initBackend('webgpu');
    console.log(`training on ${describeBackend(backend)}`);
  });
  afterAll(releaseWebGpu);

  /** Runs `work` on cpu, then on webgpu, and returns both results. */
  async function onBoth<T>(work: () => Promise<T>): Promise<{ cpu: T; webgpu: T }> {
    await tf.setBackend('cpu');
    const cpu = await work();
    await tf.setBackend('webgpu');
    return { cpu, webgpu: await work() };
  }

  it.each(LOSS_CASES.map((c) => [c.title, c] as const))(
    '%s: the same value and gradient',
    async (_, lossCase) => {
      await tf.setBackend('cpu');
      // Made on cpu, so both backends see the same parameters (proxies, class weights).
      const prepared = prepare(lossCase, BASE_VARIANTS[0]);
      try {
        const { cpu, webgpu } = await onBoth(async () => {
          const embeddings = embeddingsOf(prepared.input);
          const { value, grad } = tf.valueAndGrad(prepared.compute)(embeddings);
          embeddings.dispose();
          const [[loss], gradient] = await readAndDispose([value, grad]);
          return { loss, gradient };
        });
        expect(Math.abs(webgpu.loss - cpu.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.loss)));
        expect(relativeError(webgpu.gradient, cpu.gradient)).toBeLessThan(1e-3);
      } finally {
        await tf.setBackend('cpu');
        prepared.dispose();
      }
    },
  );

  it('one text encoder step (sparse embedding bag, Adam on the touched rows) moves the weights as on cpu', async () => {
    const featurizer = createTextFeaturizer({ buckets: 256, charNgrams: null });
    const pairs = ['red apple', 'green pear', 'blue sea', 'grey stone', 'white snow', 'black coal'].map(
      (text, i) => ({ anchor: text, positive: `${text} fruit ${i}`, group: String(i) }),
    );
    const { cpu, webgpu } = await onBoth(async () => {
      const weights = initTextEncoder(
        256,
        TextEncoderShapeSchema.parse({ embeddingDim: 8, outputDim: 8 }),
        1,
      );
      const adam = createAdamState({ table: weights.table, kernel: weights.kernel, bias: weights.bias });
      const loss = createLoss({ name: 'multiple_negatives_ranking', scale: 20 });
      const result = await textPairStep(
        weights,
        adam,
        AdamConfigSchema.parse({ learningRate: 0.01 }),
        featurizer,
        pairs,
        pairLossOf(loss),
      );
      loss.dispose();
      return { result, weights };
    });
    expect(webgpu.result.finite).toBe(true);
    expect(webgpu.result.loss).toBeCloseTo(cpu.result.loss, 4);
    expect(webgpu.result.stats).toEqual(
      Object.fromEntries(Object.entries(cpu.result.stats ?? {}).map(([k, v]) => [k, expect.closeTo(v, 4)])),
    );
    for (const part of ['table', 'kernel', 'bias'] as const) {
      expect(relativeError(webgpu.weights[part], cpu.weights[part])).toBeLessThan(1e-4);
    }
  });

  /** The two-tower recommender of towers.test.ts, small: 40 items in 4 genres, users within a genre. */
  function recsSetup() {
    const featurizer = createTextFeaturizer({ buckets: 256, charNgrams: null });
    const genres = ['comedy', 'drama', 'horror', 'western'];
    const features = Array.from({ length: 40 }, (_, i) =>
      featurizer.featurize(`film ${i} | ${genres[i % 4]}`),
    );
    const histories = Array.from({ length: 30 }, (_, u) =>
      Int32Array.from({ length: 6 }, (_, t) => (u % 4) + 4 * ((Math.floor(u / 4) + t) % 9)),
    );
    const weights = initRecsWeights(40, 256, { dim: 8, embeddingDim: 8 }, 3);
    const examples = nextItemExamples(histories, { recentItems: 3, recencyDecay: 1 });
    const loss = createRecsLoss(
      LossConfigSchema.parse({ name: 'multiple_negatives_ranking', scale: 20 }),
      false,
    );
    const context = {
      examples,
      features,
      logQ: new Float32Array(40),
      loss,
      idDropout: 0.2,
      adam: createAdamState(trainableArrays(weights)),
      adamConfig: AdamConfigSchema.parse({ learningRate: 0.02 }),
    };
    const batchAt = (step: number) =>
      Int32Array.from({ length: 12 }, (_, i) => (step * 12 + i) % examples.count);
    return { weights, context, batchAt };
  }

  it('one two-tower step moves the weights as on cpu', async () => {
    const { cpu, webgpu } = await onBoth(async () => {
      const { weights, context, batchAt } = recsSetup();
      return { result: await recsStep(weights, context, batchAt(0), 0), weights };
    });
    expect(webgpu.result.finite).toBe(true);
    expect(webgpu.result.loss).toBeCloseTo(cpu.result.loss, 4);
    for (const part of ['ids', 'userKernel', 'userBias'] as const) {
      expect(relativeError(webgpu.weights[part], cpu.weights[part])).toBeLessThan(1e-4);
    }
    expect(relativeError(webgpu.weights.content.table, cpu.weights.content.table)).toBeLessThan(1e-4);
  });

  it.each([
    ['contrastive', { name: 'contrastive' }, undefined],
    // The miner's tuples come from a pre-pass mined on wasm (cnn-trainer.ts, mineTuples).
    ['triplet_margin with the batch_hard miner', { name: 'triplet_margin' }, { name: 'batch_hard' }],
  ] as const)(
    'one CNN step (conv, pooling, batch norm, dense), %s, moves the weights as on cpu',
    async (_, lossConfig, minerConfig) => {
      const { cpu, webgpu } = await onBoth(async () => {
        const { weights, model: trainer } = tinyCnnTrainer({
          lossConfig,
          ...(minerConfig ? { miner: createMiner(minerConfig) } : {}),
        });
        const result = await trainer.step(0);
        trainer.dispose();
        return { result, params: weights.params };
      });
      expect(webgpu.result.finite).toBe(true);
      expect(webgpu.result.loss).toBeCloseTo(cpu.result.loss, 4);
      // Every parameter, the batch-norm running statistics (read back after the step) included. Adam's
      // first step divides each gradient by its own size, which magnifies float rounding in tiny ones.
      for (const [name, values] of Object.entries(cpu.params)) {
        expect(relativeError(webgpu.params[name], values), name).toBeLessThan(1e-3);
      }
    },
  );

  it('refuses a miner with a message that says why (miners read the batch back mid-step)', async () => {
    await tf.setBackend('webgpu');
    const loss = createLoss({ name: 'triplet_margin' });
    const embeddings = tf.randomNormal([8, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 0, 1, 1, 2, 2, 3, 3], 'int32');
    expect(() => loss.compute(embeddings, labels, { miner: createMiner({ name: 'batch_hard' }) })).toThrow(
      /batch_hard miner reads the batch back .* webgpu cannot do/,
    );
    tf.dispose([embeddings, labels]);
    loss.dispose();
  });

  it('a short two-tower run on webgpu: the loss falls', async () => {
    await tf.setBackend('webgpu');
    const { weights, context, batchAt } = recsSetup();
    const losses: number[] = [];
    for (let step = 0; step < 24; step++) {
      const result = await recsStep(weights, context, batchAt(step), step);
      expect(result.finite).toBe(true);
      losses.push(result.loss);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) * 0.8);
  });
  it('the image pipeline trains on webgpu, then evaluates, exports and publishes with the adapter recorded', async () => {
    const root = await mkdtemp(join(tmpdir(), 'webgpu-pipeline-'));
    try {
      const args = ['pipeline', '--config', 'configs/shapes-tiny.json', '--backend', 'webgpu'];
      const { code, stderr } = await runCliInProcess([...args, '--runs', root, '--artifacts', root]);
      expect(code, stderr).toBe(0);
      const [runId] = await readdir(join(root), { withFileTypes: true }).then((entries) =>
        entries.filter((e) => e.isDirectory() && e.name.startsWith('shapes-tiny-')).map((e) => e.name),
      );
      const run = JSON.parse(await readFile(join(root, runId, 'run.json'), 'utf8'));
      const version = runId.slice('shapes-tiny-'.length);
      const manifest = parseManifest(
        JSON.parse(await readFile(join(root, 'shapes-tiny', version, 'manifest.json'), 'utf8')),
        'the published manifest',
      );
      const { adapter } = await probeWebGpu();
      expect(run.backend).toMatchObject({ requested: 'webgpu', name: 'webgpu', adapter });
      expect(manifest.training.backend).toBe('webgpu (@tensorflow/tfjs-backend-webgpu)');
      expect(manifest.training.adapter).toEqual(adapter);
      // The stages after training read tensors synchronously: they ran on wasm.
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
