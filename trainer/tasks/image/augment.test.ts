import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../metric/index.ts';
import { augmentImages, GreyAugmentConfigSchema, NO_AUGMENTATION } from './augment.ts';
import { imageSet } from './image-set.ts';

/** One 3 x 3 image, pixels 10..90 row-major, so every move is visible. */
const set = imageSet({
  pixels: Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90]),
  labels: Int32Array.of(0),
  height: 3,
  width: 3,
  classNames: ['only'],
});

/** A Random whose draws are scripted: int() answers from `ints`, next() from `nexts`. */
function scripted(ints: number[], nexts: number[]): Random {
  return { int: () => ints.shift()!, next: () => nexts.shift()!, normal: () => 0 };
}

describe('augmentImages', () => {
  it('without augmentation returns the pixels as they are', () => {
    expect(Array.from(augmentImages(set, [0], NO_AUGMENTATION, createRandom(1)))).toEqual(
      Array.from(set.pixels),
    );
  });

  it('shifts right and down, filling with black', () => {
    // shift 1: int(3) = 2 -> dx = +1, then 1 -> dy = 0; next() = 0.9 > flip probability 0.
    const config = { ...NO_AUGMENTATION, shift: 1 };
    const out = augmentImages(set, [0], config, scripted([2, 1], [0.9]));
    expect(Array.from(out)).toEqual([0, 10, 20, 0, 40, 50, 0, 70, 80]);
    const down = augmentImages(set, [0], config, scripted([1, 2], [0.9]));
    expect(Array.from(down)).toEqual([0, 0, 0, 10, 20, 30, 40, 50, 60]);
  });

  it('flips left to right', () => {
    const out = augmentImages(set, [0], { ...NO_AUGMENTATION, flip: 1 }, scripted([], [0]));
    expect(Array.from(out)).toEqual([30, 20, 10, 60, 50, 40, 90, 80, 70]);
  });

  it('adds clamped noise, and is a pure function of the seed', () => {
    const config = GreyAugmentConfigSchema.parse({ shift: 1, noise: 0.5, erase: 0.5 });
    const a = augmentImages(set, [0, 0], config, createRandom(7));
    expect(Array.from(augmentImages(set, [0, 0], config, createRandom(7)))).toEqual(Array.from(a));
    expect(a.every((v) => v >= 0 && v <= 255)).toBe(true);
    expect(Array.from(a.subarray(0, 9))).not.toEqual(Array.from(a.subarray(9)));
  });
});
