import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../shared/random.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { augmentImages, ImageAugmentConfigSchema, imageViews } from './image.ts';

useWasmBackend();

const images = () => tf.randomUniform([3, 8, 6, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
const plain = {
  crop_scale: [1, 1] as [number, number],
  crop_ratio: [1, 1] as [number, number],
  flip_probability: 0,
  jitter_probability: 0,
  grayscale_probability: 0,
};

describe('SimCLR image views', () => {
  it('is the identity with every augmentation off', () => {
    const x = images();
    const out = augmentImages(x, ImageAugmentConfigSchema.parse(plain), createRandom(1));
    expect(out.shape).toEqual([3, 8, 6, 3]);
    expect(tf.max(tf.abs(out.sub(x))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('flips horizontally', () => {
    const x = images();
    const out = augmentImages(
      x,
      ImageAugmentConfigSchema.parse({ ...plain, flip_probability: 1 }),
      createRandom(2),
    );
    expect(tf.max(tf.abs(out.sub(tf.reverse(x, 2)))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('turns images gray and jitters colours within [0, 1]', () => {
    const gray = augmentImages(
      images(),
      ImageAugmentConfigSchema.parse({ ...plain, grayscale_probability: 1 }),
      createRandom(3),
    );
    const [r, g, b] = tf.split(gray, 3, 3);
    expect(tf.max(tf.abs(r.sub(g))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(g.sub(b))).dataSync()[0]).toBeLessThan(1e-6);
    const jittered = augmentImages(
      images(),
      ImageAugmentConfigSchema.parse({ ...plain, jitter_probability: 1, jitter_strength: 0.8 }),
      createRandom(4),
    );
    expect(tf.min(jittered).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(jittered).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(tf.max(tf.abs(jittered.sub(images()))).dataSync()[0]).toBeGreaterThan(0.01);
  });

  it('gives two different random crops per image, reproducibly and without leaking tensors', () => {
    const x = images();
    const config = ImageAugmentConfigSchema.parse({});
    const before = tf.memory().numTensors;
    const [a, b] = imageViews(x, config, createRandom(5));
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(tf.max(tf.abs(a.sub(b))).dataSync()[0]).toBeGreaterThan(0.01);
    const [again] = imageViews(x, config, createRandom(5));
    expect(tf.max(tf.abs(again.sub(a))).dataSync()[0]).toBe(0);
  });
});
