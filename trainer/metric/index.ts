/**
 * The metric-learning library: distances, reducers, miners, losses (and the wrappers cross_batch_memory
 * and self_supervised), samplers, the Lp embedding regulariser and self-supervised augmentations. Every
 * component is built from a plain config object validated with zod; the same objects go in training
 * configs. Definitions and defaults follow pytorch-metric-learning 2.x (see docs/metric-learning.md).
 */

export type { Random } from '../../shared/random.ts';
export { createRandom } from '../../shared/random.ts';
export type { ImageAugmentConfig } from './augment/image.ts';
export { augmentImages, ImageAugmentConfigSchema, imageViews } from './augment/image.ts';
export type { TextAugmentConfig } from './augment/text.ts';
export { dropFeatures, dropTokens, TextAugmentConfigSchema, textViews } from './augment/text.ts';
export type { LossConfig, LossConfigInput } from './create-loss.ts';
export { createLoss, LOSS_NAMES, LossConfigSchema } from './create-loss.ts';
export type { Distance, DistanceConfig, DistanceConfigInput } from './distances/index.ts';
export { createDistance, DistanceConfigSchema } from './distances/index.ts';
export type { ComputeOptions, MetricLoss, PlainLossConfig } from './losses/index.ts';
export { PlainLossConfigSchema } from './losses/index.ts';
export type { Miner, MinerConfig, MinerConfigInput } from './miners/index.ts';
export { createMiner, MinerConfigSchema } from './miners/index.ts';
export type { Reducer, ReducerConfig, ReducerConfigInput } from './reducers/index.ts';
export { createReducer, ReducerConfigSchema } from './reducers/index.ts';
export type { EmbeddingRegularizerConfig } from './regularizers/index.ts';
export { EmbeddingRegularizerConfigSchema } from './regularizers/index.ts';
export type { Sampler, SamplerConfig, SamplerConfigInput } from './samplers/index.ts';
export { createSampler, SamplerConfigSchema, sampledTriplets } from './samplers/index.ts';
export type { IndicesTuple, PairTuple, TripletTuple } from './tuples.ts';
