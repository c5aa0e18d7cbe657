import { z } from 'zod';
import type { Random } from '../../metric/index.ts';
import type { ImageSet } from './image-set.ts';

/**
 * Seeded training augmentation for grey images, on typed arrays (no tensors): a random shift of up to
 * `shift` pixels each way (what falls outside is dropped, what comes in is black, like a padded random
 * crop), a horizontal flip with probability `flip`, random erasing of one rectangle with probability
 * `erase` (Zhong et al. 2020, area 2-20% of the image, aspect 0.3-3.3, filled with black), and Gaussian
 * noise of standard deviation `noise` (in [0, 1] pixel units), clamped to the pixel range.
 */
export const GreyAugmentConfigSchema = z
  .object({
    shift: z.number().int().min(0).max(16).default(2),
    flip: z.number().min(0).max(1).default(0.5),
    erase: z.number().min(0).max(1).default(0),
    noise: z.number().min(0).max(1).default(0.02),
  })
  .strict();
export type GreyAugmentConfig = z.infer<typeof GreyAugmentConfigSchema>;

/** No augmentation at all (validation, tests). */
export const NO_AUGMENTATION: GreyAugmentConfig = { shift: 0, flip: 0, erase: 0, noise: 0 };

/** Augmented copies of the images at `indices`, as pixels 0..255 row-major [indices.length, h, w]. */
export function augmentImages(
  set: ImageSet,
  indices: ArrayLike<number>,
  config: GreyAugmentConfig,
  random: Random,
): Float32Array {
  const { height, width } = set;
  const size = height * width;
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const source = set.pixels.subarray(indices[i] * size, (indices[i] + 1) * size);
    const target = out.subarray(i * size, (i + 1) * size);
    const dx = config.shift > 0 ? random.int(2 * config.shift + 1) - config.shift : 0;
    const dy = config.shift > 0 ? random.int(2 * config.shift + 1) - config.shift : 0;
    const flip = random.next() < config.flip;
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= height) continue;
      for (let x = 0; x < width; x++) {
        const sx = flip ? width - 1 - (x - dx) : x - dx;
        if (sx >= 0 && sx < width) target[y * width + x] = source[sy * width + sx];
      }
    }
    if (config.erase > 0 && random.next() < config.erase) eraseRectangle(target, height, width, random);
    if (config.noise > 0) {
      const std = config.noise * 255;
      for (let p = 0; p < size; p++)
        target[p] = Math.min(255, Math.max(0, target[p] + std * random.normal()));
    }
  }
  return out;
}

/** Random erasing's rectangle draw (Zhong et al. 2020, Algorithm 1), retried up to 10 times to fit. */
function eraseRectangle(target: Float32Array, height: number, width: number, random: Random): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = height * width * (0.02 + 0.18 * random.next());
    const ratio = Math.exp(Math.log(0.3) + (Math.log(1 / 0.3) - Math.log(0.3)) * random.next());
    const h = Math.round(Math.sqrt(area * ratio));
    const w = Math.round(Math.sqrt(area / ratio));
    if (h < 1 || w < 1 || h >= height || w >= width) continue;
    const top = random.int(height - h + 1);
    const left = random.int(width - w + 1);
    for (let y = top; y < top + h; y++) target.fill(0, y * width + left, y * width + left + w);
    return;
  }
}
