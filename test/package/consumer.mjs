// What a user of the published package writes: PML's miner-then-loss loop on a tf.LayersModel, then the
// retrieval metrics; and the typed HTTP client. Run with plain `node` from a project that installed the packed tarball.
import * as tf from '@tensorflow/tfjs';
import { createClient } from 'dml-edge/client';
import { embeddingMatrix, retrievalMetrics } from 'dml-edge/eval';
import { createLoss, createMiner } from 'dml-edge/metric';

const classes = 4;
const perClass = 8;
const labels = Array.from({ length: classes * perClass }, (_, i) => i % classes);
// Class centres far apart in 2 of 16 dimensions, buried in noise in the other 14.
const centres = tf
  .randomNormal([classes, 16], 0, 1, 'float32', 1)
  .mul(tf.tensor1d([3, 3, ...Array(14).fill(0)]));
const inputs = tf.gather(centres, labels).add(tf.randomNormal([labels.length, 16], 0, 1.5, 'float32', 2));
const labelTensor = tf.tensor1d(labels, 'int32');

const model = tf.sequential({
  layers: [
    tf.layers.dense({
      inputShape: [16],
      units: 8,
      kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
    }),
  ],
});
const miner = createMiner({ name: 'multi_similarity', epsilon: 0.1 });
const loss = createLoss({ name: 'contrastive', pos_margin: 0, neg_margin: 1 });
const optimizer = tf.train.adam(0.01);

const evaluate = () => {
  const embeddings = model.predict(inputs);
  const scores = retrievalMetrics({ query: embeddingMatrix(embeddings.dataSync(), 8), queryLabels: labels });
  embeddings.dispose();
  return scores;
};

const before = evaluate();
const losses = [];
for (let step = 0; step < 30; step++) {
  const value = optimizer.minimize(() => {
    const embeddings = model.apply(inputs);
    return loss.compute(embeddings, labelTensor, { miner });
  }, true);
  losses.push(value.dataSync()[0]);
  value.dispose();
}
const after = evaluate();
// The HTTP client loads too (it is driven against a running server in test/api/api-surface.test.ts).
const client = Object.keys(createClient({ baseUrl: 'http://127.0.0.1:1' })).sort();
console.log(JSON.stringify({ backend: tf.getBackend(), losses, before, after, client }));
