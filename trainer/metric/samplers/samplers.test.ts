import { describe, expect, it } from 'vitest';
import { createSampler, sampledTriplets } from './index.ts';

// 5 classes of sizes 10, 6, 3, 2, 1.
const LABELS = [...Array(10).fill(0), ...Array(6).fill(1), ...Array(3).fill(2), 3, 3, 4];

describe('m_per_class', () => {
  const sampler = createSampler({ name: 'm_per_class', m: 4, batch_size: 12, length: 120, seed: 3 }, LABELS);

  it('fills each batch with batch_size / m classes of m rows each', () => {
    const batches = sampler.epoch(0);
    expect(batches).toHaveLength(10);
    for (const batch of batches) {
      expect(batch).toHaveLength(12);
      const perClass = new Map<number, number>();
      for (const row of batch) perClass.set(LABELS[row], (perClass.get(LABELS[row]) ?? 0) + 1);
      expect([...perClass.values()]).toEqual([4, 4, 4]);
      // Classes with at least m rows are drawn without replacement.
      for (let c = 0; c < 3; c++) {
        const rows = Array.from(batch.slice(c * 4, c * 4 + 4));
        if (LABELS.filter((l) => l === LABELS[rows[0]]).length >= 4) expect(new Set(rows).size).toBe(4);
      }
    }
  });

  it('is reproducible per epoch and differs between epochs', () => {
    expect(sampler.epoch(1)).toEqual(sampler.epoch(1));
    expect(sampler.epoch(1)).not.toEqual(sampler.epoch(2));
  });

  it('needs m × classes >= batch_size and m dividing batch_size', () => {
    expect(() => createSampler({ name: 'm_per_class', m: 4, batch_size: 24 }, LABELS)).toThrow(
      /must be >= batch_size/,
    );
    expect(() => createSampler({ name: 'm_per_class', m: 5, batch_size: 12 }, LABELS)).toThrow(
      /m must divide batch_size/,
    );
  });
});

describe('class_balanced', () => {
  const share = (power: number) => {
    const sampler = createSampler(
      { name: 'class_balanced', batch_size: 50, length: 5000, power, seed: 4 },
      LABELS,
    );
    const counts = new Array(5).fill(0);
    for (const batch of sampler.epoch(0)) for (const row of batch) counts[LABELS[row]]++;
    return counts.map((c) => c / 5000);
  };

  it('draws every class equally often with inverse-frequency weights', () => {
    for (const s of share(1)) expect(Math.abs(s - 0.2)).toBeLessThan(0.03);
  });

  it('draws rows uniformly with power 0', () => {
    const sizes = [10, 6, 3, 2, 1];
    share(0).forEach((s, c) => expect(Math.abs(s - sizes[c] / 22)).toBeLessThan(0.03));
  });
});

describe('pairs', () => {
  // Rows are pairs; keys mark pairs that share a text, like repeated anchors.
  const keys = [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9];

  it('visits every row once per epoch with no key twice in a batch', () => {
    const sampler = createSampler({ name: 'pairs', batch_size: 4, drop_last: false, seed: 5 }, keys);
    const batches = sampler.epoch(0);
    expect(batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
    for (const batch of batches)
      expect(new Set(Array.from(batch, (row) => keys[row])).size).toBe(batch.length);
  });

  it('drops the last incomplete batch when asked', () => {
    const sampler = createSampler({ name: 'pairs', batch_size: 4, seed: 5 }, keys);
    const batches = sampler.epoch(0);
    expect(batches.every((b) => b.length === 4)).toBe(true);
    expect(batches.length).toBe(3);
  });
});

describe('triplets', () => {
  it('draws anchors and positives from one class and negatives from another', () => {
    const sampler = createSampler({ name: 'triplets', batch_size: 8, length: 64, seed: 6 }, LABELS);
    const batches = sampler.epoch(0);
    expect(batches).toHaveLength(8);
    for (const batch of batches) {
      expect(batch).toHaveLength(24);
      const { a, p, n } = sampledTriplets(8);
      a.forEach((ai, t) => {
        expect(LABELS[batch[p[t]]]).toBe(LABELS[batch[ai]]);
        expect(batch[p[t]]).not.toBe(batch[ai]);
        expect(LABELS[batch[n[t]]]).not.toBe(LABELS[batch[ai]]);
      });
    }
  });
});

describe('sampler configs', () => {
  it('lists the valid samplers for an unknown name', () => {
    expect(() => createSampler({ name: 'random' } as never, LABELS)).toThrow(
      /'m_per_class' \| 'class_balanced' \| 'pairs' \| 'triplets'/,
    );
  });

  it('refuses labels that are not class indices', () => {
    expect(() => createSampler({ name: 'pairs', batch_size: 2 }, [0, 1.5])).toThrow(/non-negative integers/);
  });
});
