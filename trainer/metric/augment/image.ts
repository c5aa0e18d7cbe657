import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Random } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';

/**
 * SimCLR's image views (Chen et al. 2020, appendix A): random resized crop (area fraction in crop_scale,
 * aspect ratio in crop_ratio, torchvision's defaults), horizontal flip, colour jitter (brightness, contrast, saturation by
 * 1 ± jitter_strength, applied with jitter_probability, in that fixed order) and grayscale with
 * grayscale_probability. Hue jitter and blur are left out (the paper drops blur for small images).
 * Images are [batch, height, width, 3] in [0, 1].
 */
export const ImageAugmentConfigSchema = strictConfig({
  crop_scale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).default([0.08, 1]),
  crop_ratio: z.tuple([z.number().positive(), z.number().positive()]).default([3 / 4, 4 / 3]),
  flip_probability: z.number().min(0).max(1).default(0.5),
  jitter_strength: z.number().min(0).max(1).default(0.5),
  jitter_probability: z.number().min(0).max(1).default(0.8),
  grayscale_probability: z.number().min(0).max(1).default(0.2),
});
export type ImageAugmentConfig = z.infer<typeof ImageAugmentConfigSchema>;

const LUMA = [0.299, 0.587, 0.114];

export function augmentImages(images: tf.Tensor4D, config: ImageAugmentConfig, random: Random): tf.Tensor4D {
  const [batch, height, width, channels] = images.shape;
  if (channels !== 3) throw new Error(`augmentImages expects RGB images, got ${channels} channels`);
  const strength = config.jitter_strength;
  const jitterFactor = () => 1 - strength + 2 * strength * random.next();
  const boxes: number[] = [];
  const brightness: number[] = [];
  const contrast: number[] = [];
  const saturation: number[] = [];
  const gray: number[] = [];
  for (let i = 0; i < batch; i++) {
    boxes.push(...cropBox(config, random));
    const jitter = random.next() < config.jitter_probability;
    brightness.push(jitter ? jitterFactor() : 1);
    contrast.push(jitter ? jitterFactor() : 1);
    saturation.push(jitter ? jitterFactor() : 1);
    gray.push(random.next() < config.grayscale_probability ? 1 : 0);
  }
  const perImage = (values: number[]) => tf.tensor4d(values, [batch, 1, 1, 1]);
  return tf.tidy(() => {
    const indices = tf.tensor1d(
      Int32Array.from({ length: batch }, (_, i) => i),
      'int32',
    );
    let x = tf.image.cropAndResize(images, tf.tensor2d(boxes, [batch, 4]), indices, [
      height,
      width,
    ]) as tf.Tensor4D;
    x = x.mul(perImage(brightness));
    const luma = () => x.mul(tf.tensor1d(LUMA)).sum(3, true);
    const meanLuma = luma().mean([1, 2, 3], true);
    x = x.sub(meanLuma).mul(perImage(contrast)).add(meanLuma);
    x = luma().add(x.sub(luma()).mul(perImage(saturation)));
    const grayMask = perImage(gray);
    x = x.mul(tf.sub(1, grayMask)).add(luma().mul(grayMask));
    return x.clipByValue(0, 1) as tf.Tensor4D;
  });
}

/** [y1, x1, y2, x2] in [0, 1]; x1 > x2 makes cropAndResize mirror the crop (the flip). */
function cropBox(config: ImageAugmentConfig, random: Random): number[] {
  const [low, high] = config.crop_scale;
  const area = low + (high - low) * random.next();
  const [lowRatio, highRatio] = config.crop_ratio.map(Math.log);
  const ratio = Math.exp(lowRatio + (highRatio - lowRatio) * random.next());
  const w = Math.min(1, Math.sqrt(area * ratio));
  const h = Math.min(1, Math.sqrt(area / ratio));
  const y1 = (1 - h) * random.next();
  const x1 = (1 - w) * random.next();
  const flip = random.next() < config.flip_probability;
  return flip ? [y1, x1 + w, y1 + h, x1] : [y1, x1, y1 + h, x1 + w];
}

/** Two independently augmented views of each image. */
export function imageViews(
  images: tf.Tensor4D,
  config: ImageAugmentConfig,
  random: Random,
): [tf.Tensor4D, tf.Tensor4D] {
  return [augmentImages(images, config, random), augmentImages(images, config, random)];
}
