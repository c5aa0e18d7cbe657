import * as tf from '@tensorflow/tfjs';
import { createLoss, LOSS_NAMES, type LossConfigInput } from '../../trainer/metric/create-loss.ts';
import type { ComputeOptions } from '../../trainer/metric/losses/index.ts';

export interface LossTiming {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

const CLASSES_PER_BATCH = 32;

/** Each loss with its defaults, plus the sizes the class-based ones need. */
function benchConfig(name: (typeof LOSS_NAMES)[number], dim: number): LossConfigInput {
  switch (name) {
    case 'proxy_nca':
    case 'proxy_anchor':
    case 'normalized_softmax':
    case 'arcface':
    case 'cosface':
      return { name, num_classes: CLASSES_PER_BATCH, embedding_size: dim };
    case 'cross_batch_memory':
      return { name, loss: { name: 'contrastive' }, embedding_size: dim };
    default:
      return { name } as LossConfigInput;
  }
}

/**
 * Forward plus backward time of every loss (gradients for the embeddings and the loss's parameters) on the
 * current tfjs backend, at `batch` rows (m-per-class labels: 32 classes) of dimension `dim`. Losses that
 * compare pairs get a second view as refEmbeddings. Median, min and max over `repeats` runs after two
 * warm-up runs.
 */
export async function benchmarkLosses(
  options: { batch?: number; dim?: number; repeats?: number } = {},
): Promise<LossTiming[]> {
  const { batch = 256, dim = 128, repeats = 5 } = options;
  await tf.ready();
  const embeddings = tf.variable(
    tf.randomNormal([batch, dim], 0, 1, 'float32', 1),
  ) as tf.Variable<tf.Rank.R2>;
  const ref = tf.randomNormal([batch, dim], 0, 1, 'float32', 2) as tf.Tensor2D;
  const classes = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % CLASSES_PER_BATCH),
    'int32',
  );
  const rows = tf.range(0, batch, 1, 'int32') as tf.Tensor1D;
  const scores = tf.randomUniform([batch], 0, 1, 'float32', 3) as tf.Tensor1D;
  const results: LossTiming[] = [];
  for (const name of LOSS_NAMES) {
    const loss = createLoss(benchConfig(name, dim));
    const withRef = name === 'multiple_negatives_ranking' || name === 'cosent' || name === 'self_supervised';
    const labels = name === 'cosent' ? scores : withRef ? rows : classes;
    const computeOptions: ComputeOptions = withRef ? { refEmbeddings: ref } : {};
    const variables = [embeddings, ...Object.values(loss.parameters)];
    const run = () => {
      const start = performance.now();
      const { value, grads } = tf.variableGrads(
        () => loss.compute(embeddings, labels, computeOptions),
        variables,
      );
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
      return performance.now() - start;
    };
    run();
    run();
    const times = Array.from({ length: repeats }, run).sort((a, b) => a - b);
    results.push({
      name,
      medianMs: times[Math.floor(times.length / 2)],
      minMs: times[0],
      maxMs: times[times.length - 1],
    });
    loss.dispose();
  }
  tf.dispose([embeddings, ref, classes, rows, scores]);
  return results;
}

/** The timings as a Markdown table. */
export function lossTimingTable(timings: LossTiming[]): string {
  const lines = ['| loss | median ms | min ms | max ms |', '| --- | ---: | ---: | ---: |'];
  for (const t of timings)
    lines.push(`| ${t.name} | ${t.medianMs.toFixed(1)} | ${t.minMs.toFixed(1)} | ${t.maxMs.toFixed(1)} |`);
  return lines.join('\n');
}
