import { z } from 'zod';
import { parseConfig } from '../config.ts';
import { createDistance, type DistanceConfigInput, DistanceConfigSchema } from '../distances/index.ts';
import type { Miner } from './base.ts';
import { BatchEasyHardMinerConfigSchema, createBatchEasyHardMiner } from './batch-easy-hard.ts';
import { BatchHardMinerConfigSchema, createBatchHardMiner } from './batch-hard.ts';
import { createDistanceWeightedMiner, DistanceWeightedMinerConfigSchema } from './distance-weighted.ts';
import { createMultiSimilarityMiner, MultiSimilarityMinerConfigSchema } from './multi-similarity.ts';
import { createPairMarginMiner, PairMarginMinerConfigSchema } from './pair-margin.ts';
import { createTripletMarginMiner, TripletMarginMinerConfigSchema } from './triplet-margin.ts';

export type { Miner } from './base.ts';

const withDistance = { distance: DistanceConfigSchema.optional() };

export const MinerConfigSchema = z.discriminatedUnion('name', [
  TripletMarginMinerConfigSchema.extend(withDistance),
  BatchHardMinerConfigSchema.extend(withDistance),
  BatchEasyHardMinerConfigSchema.extend(withDistance),
  MultiSimilarityMinerConfigSchema.extend(withDistance),
  PairMarginMinerConfigSchema.extend(withDistance),
  DistanceWeightedMinerConfigSchema.extend(withDistance),
]);
export type MinerConfig = z.infer<typeof MinerConfigSchema>;
export type MinerConfigInput = z.input<typeof MinerConfigSchema>;

/** PML's default distance for each miner: normalised Euclidean, except cosine for multi_similarity. */
const DEFAULT_DISTANCE: Record<MinerConfig['name'], DistanceConfigInput> = {
  triplet_margin: { name: 'lp' },
  batch_hard: { name: 'lp' },
  batch_easy_hard: { name: 'lp' },
  multi_similarity: { name: 'cosine' },
  pair_margin: { name: 'lp' },
  distance_weighted: { name: 'lp' },
};

export function createMiner(input: MinerConfigInput): Miner {
  const config = parseConfig('miner', MinerConfigSchema, input);
  const distance = createDistance(config.distance ?? DEFAULT_DISTANCE[config.name]);
  switch (config.name) {
    case 'triplet_margin':
      return createTripletMarginMiner(config, distance);
    case 'batch_hard':
      return createBatchHardMiner(distance);
    case 'batch_easy_hard':
      return createBatchEasyHardMiner(config, distance);
    case 'multi_similarity':
      return createMultiSimilarityMiner(config, distance);
    case 'pair_margin':
      return createPairMarginMiner(config, distance);
    case 'distance_weighted':
      return createDistanceWeightedMiner(config, distance);
  }
}
