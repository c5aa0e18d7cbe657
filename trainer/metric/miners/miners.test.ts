import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DistanceConfigInput } from '../distances/index.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { clusteredBatch, flat, randomBatch } from '../testing/data.ts';
import type { DistanceSpec, Matrix } from '../testing/reference/math.ts';
import { refDistance } from '../testing/reference/math.ts';
import {
  batchEasyHardMinerRef,
  batchHardMinerRef,
  type ExpectedPairs,
  type MinerInput,
  multiSimilarityMinerRef,
  pairMarginMinerRef,
  tripletMarginMinerRef,
} from '../testing/reference/miners.ts';
import type { IndicesTuple } from '../tuples.ts';
import { createMiner, type MinerConfigInput } from './index.ts';

useWasmBackend();

interface Case {
  title: string;
  input: MinerInput;
}

/** Seeded batches: raw and unit rows, several sizes, with and without a reference set. */
const CASES: Case[] = [
  { title: '10x4, 3 classes, raw', input: randomBatch(10, 4, 3, 21) },
  { title: '12x5, 4 classes, unit', input: randomBatch(12, 5, 4, 22, true) },
  { title: '12x4, 3 clustered classes', input: clusteredBatch(12, 4, 3, 25, 0.5) },
  (() => {
    const batch = randomBatch(8, 4, 3, 23);
    const ref = randomBatch(9, 4, 3, 24);
    return { title: '8x4 against 9 ref rows', input: { ...batch, ref: ref.E, refLabels: ref.labels } };
  })(),
];

const tensor = (m: Matrix) => tf.tensor2d(flat(m), [m.length, m[0].length]);

function mine(config: MinerConfigInput, input: MinerInput) {
  const miner = createMiner(config);
  const embeddings = tensor(input.E);
  const ref = input.ref && tensor(input.ref);
  const tuple = miner.mine(
    embeddings,
    Int32Array.from(input.labels),
    ref,
    input.refLabels && Int32Array.from(input.refLabels),
  );
  tf.dispose([embeddings, ref]);
  return { tuple, stats: miner.stats };
}

function asPairs(tuple: IndicesTuple): ExpectedPairs {
  if (tuple.kind !== 'pairs') throw new Error('expected pairs');
  const join = (a: Int32Array, b: Int32Array) => Array.from(a, (x, i) => `${x},${b[i]}`).sort();
  return { pos: join(tuple.a1, tuple.p), neg: join(tuple.a2, tuple.n) };
}

function asTriplets(tuple: IndicesTuple): string[] {
  if (tuple.kind !== 'triplets') throw new Error('expected triplets');
  return Array.from(tuple.a, (a, i) => `${a},${tuple.p[i]},${tuple.n[i]}`).sort();
}

const DISTANCES: [DistanceConfigInput, DistanceSpec][] = [
  [{ name: 'lp' }, { name: 'lp' }],
  [{ name: 'cosine' }, { name: 'cosine' }],
];

describe.each(CASES)('miners on $title', ({ input }) => {
  for (const [distance, spec] of DISTANCES) {
    for (const type of ['all', 'hard', 'semihard', 'easy']) {
      it(`triplet_margin ${type} (${distance.name})`, () => {
        const margin = distance.name === 'lp' ? 0.3 : 0.2;
        const { tuple, stats } = mine(
          { name: 'triplet_margin', margin, type_of_triplets: type as 'all', distance },
          input,
        );
        const expected = tripletMarginMinerRef(input, { margin, type, distance: spec });
        expect(asTriplets(tuple)).toEqual(expected);
        expect(stats.triplets).toBe(expected.length);
      });
    }

    it(`batch_hard (${distance.name})`, () => {
      const { tuple, stats } = mine({ name: 'batch_hard', distance }, input);
      const expected = batchHardMinerRef(input, spec);
      expect(asTriplets(tuple)).toEqual(expected);
      // The statistic is the mean anchor-positive distance of the mined triplets.
      const d = refDistance(spec);
      const R = input.ref ?? input.E;
      const meanPos =
        expected
          .map((t) => t.split(',').map(Number))
          .reduce((s, [a, p]) => s + d.between(input.E[a], R[p]), 0) / expected.length;
      expect(stats.mean_hardest_pos_dist).toBeCloseTo(meanPos, 5);
    });

    const strategies: [string, string][] = [
      ['easy', 'semihard'],
      ['semihard', 'hard'],
      ['hard', 'hard'],
      ['easy', 'easy'],
      ['all', 'hard'],
      ['easy', 'all'],
    ];
    it.each(strategies)(`batch_easy_hard %s / %s (${distance.name})`, (pos, neg) => {
      const { tuple } = mine(
        { name: 'batch_easy_hard', pos_strategy: pos as 'easy', neg_strategy: neg as 'easy', distance },
        input,
      );
      expect(asPairs(tuple)).toEqual(batchEasyHardMinerRef(input, { pos, neg, distance: spec }));
    });

    it(`batch_easy_hard with allowed ranges (${distance.name})`, () => {
      const posRange: [number, number] = distance.name === 'lp' ? [0.2, 1.2] : [0, 0.9];
      const negRange: [number, number] = distance.name === 'lp' ? [0.5, 1.9] : [-0.5, 0.8];
      const { tuple } = mine(
        {
          name: 'batch_easy_hard',
          pos_strategy: 'hard',
          neg_strategy: 'hard',
          allowed_pos_range: posRange,
          allowed_neg_range: negRange,
          distance,
        },
        input,
      );
      expect(asPairs(tuple)).toEqual(
        batchEasyHardMinerRef(input, { pos: 'hard', neg: 'hard', posRange, negRange, distance: spec }),
      );
    });

    it(`multi_similarity (${distance.name})`, () => {
      const epsilon = 0.1;
      const { tuple, stats } = mine({ name: 'multi_similarity', epsilon, distance }, input);
      const expected = multiSimilarityMinerRef(input, { epsilon, distance: spec });
      expect(asPairs(tuple)).toEqual(expected);
      expect(stats.pos_pairs).toBe(expected.pos.length);
      expect(stats.neg_pairs).toBe(expected.neg.length);
    });

    it(`pair_margin (${distance.name})`, () => {
      const margins =
        distance.name === 'lp' ? { pos_margin: 0.8, neg_margin: 1.2 } : { pos_margin: 0.5, neg_margin: 0.1 };
      const { tuple, stats } = mine({ name: 'pair_margin', ...margins, distance }, input);
      expect(asPairs(tuple)).toEqual(pairMarginMinerRef(input, { ...margins, distance: spec }));
      expect(stats.pos_pairs).toBe(asPairs(tuple).pos.length);
      expect(stats.neg_pairs).toBe(asPairs(tuple).neg.length);
    });
  }
});

describe('distance_weighted', () => {
  it('draws one valid triplet per anchor, negatives within the cutoff', () => {
    const input = randomBatch(12, 8, 3, 31, true);
    const { tuple } = mine({ name: 'distance_weighted', nonzero_loss_cutoff: 1.4 }, input);
    if (tuple.kind !== 'triplets') throw new Error('expected triplets');
    const d = refDistance({ name: 'lp' });
    expect(tuple.a.length).toBeGreaterThan(0);
    expect(new Set(tuple.a).size).toBe(tuple.a.length);
    tuple.a.forEach((a, i) => {
      expect(input.labels[tuple.p[i]]).toBe(input.labels[a]);
      expect(tuple.p[i]).not.toBe(a);
      expect(input.labels[tuple.n[i]]).not.toBe(input.labels[a]);
      expect(d.between(input.E[a], input.E[tuple.n[i]])).toBeLessThan(1.4);
    });
  });

  it('samples negatives with probability proportional to 1 / q(d)', () => {
    // Two classes of 2: anchor 0 has negatives 2 and 3 at chosen distances; q(d) ∝ d^(n-2) (1 - d²/4)^((n-3)/2).
    const dim = 4;
    const at = (angle: number) => [Math.cos(angle), Math.sin(angle), 0, 0];
    const input = { E: [at(0), at(0.2), at(0.7), at(1.3)], labels: [0, 0, 1, 1] };
    const distanceTo = (angle: number) => 2 * Math.sin(angle / 2);
    const inverseQ = (d: number) => 1 / (d ** (dim - 2) * (1 - (d * d) / 4) ** ((dim - 3) / 2));
    const [w2, w3] = [inverseQ(Math.max(0.5, distanceTo(0.7))), inverseQ(Math.max(0.5, distanceTo(1.3)))];
    const miner = createMiner({ name: 'distance_weighted', seed: 5 });
    const embeddings = tensor(input.E);
    let drawsOf2 = 0;
    const draws = 400;
    for (let i = 0; i < draws; i++) {
      const tuple = miner.mine(embeddings, Int32Array.from(input.labels));
      if (tuple.kind === 'triplets' && tuple.n[0] === 2) drawsOf2++;
    }
    embeddings.dispose();
    const expected = w2 / (w2 + w3);
    // Binomial standard deviation √(p(1-p)/n) ≈ 0.024: four of them.
    expect(Math.abs(drawsOf2 / draws - expected)).toBeLessThan(0.1);
    expect(expected).toBeGreaterThan(0.6);
  });

  it('refuses a distance other than normalised Euclidean', () => {
    expect(() => createMiner({ name: 'distance_weighted', distance: { name: 'cosine' } })).toThrow(
      /normalised Euclidean/,
    );
  });
});

describe('miner configs', () => {
  it('lists the valid miners for an unknown name', () => {
    expect(() => createMiner({ name: 'hardest' } as never)).toThrow(/'triplet_margin' \| 'batch_hard'/);
  });

  it('lists the valid parameters for an unknown one', () => {
    expect(() => createMiner({ name: 'triplet_margin', margn: 0.1 } as never)).toThrow(
      /valid parameters: name, margin, type_of_triplets/,
    );
  });

  it('rejects semihard on both sides, as PML does', () => {
    expect(() =>
      createMiner({ name: 'batch_easy_hard', pos_strategy: 'semihard', neg_strategy: 'semihard' }),
    ).toThrow(/semihard/);
  });
});
