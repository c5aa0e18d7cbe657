import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createRandom } from '../../../shared/random.ts';

/** Fields of losses that learn one vector per class (proxies or classifier weights). */
export const classParameterFields = {
  num_classes: z.number().int().min(2),
  embedding_size: z.number().int().min(1),
  /** Seeds the initial values. */
  seed: z.number().int().min(0).default(0),
};

/** A [rows, cols] variable of seeded normal draws with standard deviation `std`. */
export function seededNormalVariable(rows: number, cols: number, std: number, seed: number): tf.Variable {
  const random = createRandom(seed);
  const values = Float32Array.from({ length: rows * cols }, () => random.normal() * std);
  const initial = tf.tensor2d(values, [rows, cols]);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

export function checkClassLabels(name: string, labels: Int32Array, numClasses: number): void {
  for (const label of labels) {
    if (label >= numClasses) throw new Error(`${name} has num_classes ${numClasses} but saw label ${label}`);
  }
}
