import { z } from 'zod';
import { ArcFaceLossConfigSchema, createArcFaceLoss } from './arcface.ts';
import type { MetricLoss } from './base.ts';
import { CircleLossConfigSchema, createCircleLoss } from './circle.ts';
import { ContrastiveLossConfigSchema, createContrastiveLoss } from './contrastive.ts';
import { CoSENTLossConfigSchema, createCoSENTLoss } from './cosent.ts';
import { CosFaceLossConfigSchema, createCosFaceLoss } from './cosface.ts';
import {
  createGeneralizedLiftedStructureLoss,
  GeneralizedLiftedStructureLossConfigSchema,
} from './generalized-lifted-structure.ts';
import { createLiftedStructureLoss, LiftedStructureLossConfigSchema } from './lifted-structure.ts';
import { createMarginLoss, MarginLossConfigSchema } from './margin.ts';
import { createMultiSimilarityLoss, MultiSimilarityLossConfigSchema } from './multi-similarity.ts';
import {
  createMultipleNegativesRankingLoss,
  MultipleNegativesRankingLossConfigSchema,
} from './multiple-negatives-ranking.ts';
import { createNPairsLoss, NPairsLossConfigSchema } from './n-pairs.ts';
import { createNormalizedSoftmaxLoss, NormalizedSoftmaxLossConfigSchema } from './normalized-softmax.ts';
import { createNTXentLoss, NTXentLossConfigSchema } from './ntxent.ts';
import { createProxyAnchorLoss, ProxyAnchorLossConfigSchema } from './proxy-anchor.ts';
import { createProxyNCALoss, ProxyNCALossConfigSchema } from './proxy-nca.ts';
import { createQuadrupletLoss, QuadrupletLossConfigSchema } from './quadruplet.ts';
import { createSupConLoss, SupConLossConfigSchema } from './supcon.ts';
import { createTripletMarginLoss, TripletMarginLossConfigSchema } from './triplet-margin.ts';

export type { ComputeOptions, MetricLoss } from './base.ts';

/** Every loss that is not a wrapper around another loss. */
export const PlainLossConfigSchema = z.discriminatedUnion('name', [
  ContrastiveLossConfigSchema,
  TripletMarginLossConfigSchema,
  QuadrupletLossConfigSchema,
  NPairsLossConfigSchema,
  LiftedStructureLossConfigSchema,
  GeneralizedLiftedStructureLossConfigSchema,
  MarginLossConfigSchema,
  MultiSimilarityLossConfigSchema,
  CircleLossConfigSchema,
  NTXentLossConfigSchema,
  SupConLossConfigSchema,
  MultipleNegativesRankingLossConfigSchema,
  CoSENTLossConfigSchema,
  ProxyNCALossConfigSchema,
  ProxyAnchorLossConfigSchema,
  NormalizedSoftmaxLossConfigSchema,
  ArcFaceLossConfigSchema,
  CosFaceLossConfigSchema,
]);
export type PlainLossConfig = z.infer<typeof PlainLossConfigSchema>;

/** Losses that compare a batch with reference embeddings by class label: the ones wrappers can feed. */
export const REFERENCE_LOSSES = [
  'contrastive',
  'triplet_margin',
  'generalized_lifted_structure',
  'margin',
  'multi_similarity',
  'circle',
  'ntxent',
  'supcon',
] as const;

export function createPlainLoss(config: PlainLossConfig): MetricLoss {
  switch (config.name) {
    case 'contrastive':
      return createContrastiveLoss(config);
    case 'triplet_margin':
      return createTripletMarginLoss(config);
    case 'quadruplet':
      return createQuadrupletLoss(config);
    case 'n_pairs':
      return createNPairsLoss(config);
    case 'lifted_structure':
      return createLiftedStructureLoss(config);
    case 'generalized_lifted_structure':
      return createGeneralizedLiftedStructureLoss(config);
    case 'margin':
      return createMarginLoss(config);
    case 'multi_similarity':
      return createMultiSimilarityLoss(config);
    case 'circle':
      return createCircleLoss(config);
    case 'ntxent':
      return createNTXentLoss(config);
    case 'supcon':
      return createSupConLoss(config);
    case 'multiple_negatives_ranking':
      return createMultipleNegativesRankingLoss(config);
    case 'cosent':
      return createCoSENTLoss(config);
    case 'proxy_nca':
      return createProxyNCALoss(config);
    case 'proxy_anchor':
      return createProxyAnchorLoss(config);
    case 'normalized_softmax':
      return createNormalizedSoftmaxLoss(config);
    case 'arcface':
      return createArcFaceLoss(config);
    case 'cosface':
      return createCosFaceLoss(config);
  }
}
