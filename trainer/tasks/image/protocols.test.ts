import { describe, expect, it } from 'vitest';
import { ProtocolSchema } from './config.ts';
import type { ImageSet } from './image-set.ts';
import { splitForProtocol } from './protocols.ts';
import { syntheticShapes } from './synthetic-shapes.ts';

const data = {
  train: syntheticShapes({ perClass: 20, seed: 1 }),
  test: syntheticShapes({ perClass: 5, seed: 2 }),
};
const labelsOf = (labels: Int32Array) => [...new Set(labels)].sort();
const pixelsOf = (set: ImageSet) =>
  new Set(Array.from({ length: set.count }, (_, i) => set.pixels.subarray(i * 784, (i + 1) * 784).join()));

describe('splitForProtocol', () => {
  it('class-disjoint: trains, selects and tests on three disjoint sets of classes', () => {
    const protocol = ProtocolSchema.parse({
      kind: 'class-disjoint',
      trainClasses: [0, 1],
      validationClasses: [2, 3],
      testClasses: [4, 5],
    });
    const split = splitForProtocol(data, protocol, 1, 1000);
    expect(labelsOf(split.train.labels)).toEqual([0, 1]);
    expect(labelsOf(split.validation.labels)).toEqual([2, 3]);
    expect(labelsOf(split.test.labels)).toEqual([4, 5]);
    expect([split.train.count, split.validation.count, split.test.count]).toEqual([40, 40, 10]);
    expect(split.description).toMatch(/train on square, ring; select on held-out classes horizontal bar/);
  });

  it('class-disjoint configs refuse overlapping classes and single-class test sets', () => {
    const base = {
      kind: 'class-disjoint',
      trainClasses: [0, 1],
      validationClasses: [2, 3],
      testClasses: [4, 5],
    };
    expect(ProtocolSchema.safeParse({ ...base, testClasses: [1, 5] }).success).toBe(false);
    expect(ProtocolSchema.safeParse({ ...base, testClasses: [5] }).success).toBe(false);
  });

  it('class-disjoint-images: trains on every training class, selects on one slice of their images', () => {
    const protocol = (fold: number) =>
      ProtocolSchema.parse({
        kind: 'class-disjoint-images',
        trainClasses: [0, 1, 2],
        testClasses: [4, 5],
        folds: 4,
        fold,
      });
    const splits = [0, 1, 2, 3].map((fold) => splitForProtocol(data, protocol(fold), 1, 1000));
    for (const split of splits) {
      expect(labelsOf(split.train.labels)).toEqual([0, 1, 2]);
      expect(labelsOf(split.validation.labels)).toEqual([0, 1, 2]);
      expect(labelsOf(split.test.labels)).toEqual([4, 5]);
      // 20 images per class: 5 of each held out, 15 trained on.
      expect([split.train.count, split.validation.count, split.test.count]).toEqual([45, 15, 10]);
      const trained = pixelsOf(split.train);
      expect([...pixelsOf(split.validation)].some((image) => trained.has(image))).toBe(false);
    }
    // The folds' held-out slices partition the training classes' images.
    const held = splits.flatMap((split) => [...pixelsOf(split.validation)]);
    expect(new Set(held).size).toBe(60);
    expect(splits[2].description).toMatch(/select on held-out images of them \(slice 3 of 4/);
    expect(ProtocolSchema.safeParse({ ...protocol(0), fold: 4 }).success).toBe(false);
    expect(ProtocolSchema.safeParse({ ...protocol(0), testClasses: [2, 5] }).success).toBe(false);
  });

  it('catalogue: holds out the same share of every class, disjoint from training, seeded', () => {
    const protocol = ProtocolSchema.parse({ kind: 'catalogue', validation: 0.25 });
    const split = splitForProtocol(data, protocol, 1, 1000);
    expect(split.train.count + split.validation.count).toBe(data.train.count);
    for (let label = 0; label < 6; label++) {
      expect(split.validation.labels.filter((l) => l === label).length).toBe(5);
    }
    expect(split.test).toBe(data.test);
    const trainImages = pixelsOf(split.train);
    expect([...pixelsOf(split.validation)].some((image) => trainImages.has(image))).toBe(false);
    expect(splitForProtocol(data, protocol, 1, 1000).validation.pixels).toEqual(split.validation.pixels);
    expect(splitForProtocol(data, protocol, 2, 1000).validation.pixels).not.toEqual(split.validation.pixels);
  });

  it('caps validation images per class in proportion', () => {
    const split = splitForProtocol(data, ProtocolSchema.parse({ kind: 'catalogue', validation: 0.5 }), 1, 12);
    expect(split.validation.count).toBe(12);
    for (let label = 0; label < 6; label++)
      expect(split.validation.labels.filter((l) => l === label).length).toBe(2);
  });
});
