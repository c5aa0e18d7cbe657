import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/index.ts';
import { createLoss, LOSS_NAMES } from '../index.ts';
await initBackend('wasm');
const N = 12, D = 6;
const emb = tf.randomNormal([N, D], 0, 1, 'float32', 1) as tf.Tensor2D;
const ref = tf.randomNormal([N, D], 0, 1, 'float32', 2) as tf.Tensor2D;
const labels = tf.tensor1d([0,0,0,1,1,1,2,2,2,3,3,3], 'int32');
const extra: Record<string, object> = {
  proxy_nca: { num_classes: 4, embedding_size: D }, proxy_anchor: { num_classes: 4, embedding_size: D },
  normalized_softmax: { num_classes: 4, embedding_size: D }, arcface: { num_classes: 4, embedding_size: D }, cosface: { num_classes: 4, embedding_size: D },
  cross_batch_memory: { loss: { name: 'contrastive' }, embedding_size: D, memory_size: 32 },
};
for (const name of LOSS_NAMES) {
  const loss = createLoss({ name, ...extra[name] } as never);
  const needsRef = ['multiple_negatives_ranking', 'cosent', 'self_supervised'].includes(name);
  const lab = name === 'cosent' ? tf.randomUniform([N]) as tf.Tensor1D : labels;
  const before = tf.memory().numTensors;
  const f = (e: tf.Tensor2D) => loss.compute(e, lab, needsRef ? { refEmbeddings: ref } : {});
  const { value, grad } = tf.valueAndGrad(f)(emb);
  const g = grad.dataSync();
  const finite = g.every(Number.isFinite);
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) tf.tidy(() => { tf.valueAndGrad(f)(emb); });
  console.log(name.padEnd(30), value.dataSync()[0].toFixed(5), finite, tf.memory().numTensors - before, JSON.stringify(loss.stats).slice(0, 150));
  value.dispose(); grad.dispose();
}
