import type { LossConfigInput } from '../create-loss.ts';
import type { Matrix } from './reference/math.ts';
import {
  circleRef,
  contrastiveRef,
  generalizedLiftedRef,
  liftedRef,
  multiSimilarityRef,
  ntxentRef,
  supconRef,
} from './reference/pair-losses.ts';
import {
  cosentRef,
  largeMarginRef,
  mnrlRef,
  normalizedSoftmaxRef,
  nPairsRef,
  proxyAnchorRef,
  proxyNcaRef,
} from './reference/softmax-losses.ts';
import { marginRef, quadrupletRef, tripletMarginRef } from './reference/triplet-losses.ts';

/** What a reference receives: the batch, the optional reference set, the loss's parameters as matrices. */
export interface RefInput {
  E: Matrix;
  labels: number[];
  ref?: Matrix;
  refLabels?: number[];
  scores?: number[];
  params: Record<string, Matrix>;
  /** The embeddings the detached weights come from (circle); E when absent. */
  frozen?: Matrix;
}

/** One small seeded input for a loss: sizes, whether rows are unit length, whether a reference set is used. */
export interface Variant {
  rows: number;
  dim: number;
  classes: number;
  seed: number;
  unit: boolean;
  withRef: boolean;
}

export interface LossCase {
  title: string;
  config(dim: number, classes: number): LossConfigInput;
  /** classes: integer labels; pairs: row i of ref is row i's positive; scores: graded pairs. */
  labels: 'classes' | 'pairs' | 'scores';
  supportsRef: boolean;
  reference(x: RefInput): number;
  /** Why the training test leaves this setting out, when it does. */
  notTrained?: string;
  /** Inputs checked on top of the base variants, for a branch the small ones do not reach. */
  extraVariants?: Variant[];
}

const lp = { name: 'lp' } as const;
const cosine = { name: 'cosine' } as const;
const classes = (dim: number, n: number) => ({ num_classes: n, embedding_size: dim });

/** Every loss, with PML defaults and some non-default settings, next to its float64 reference. */
export const LOSS_CASES: LossCase[] = [
  {
    title: 'contrastive (defaults)',
    config: () => ({ name: 'contrastive' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => contrastiveRef(x, { pos_margin: 0, neg_margin: 1, distance: lp }),
  },
  {
    title: 'contrastive (cosine, margins 0.8 / 0.2)',
    config: () => ({ name: 'contrastive', pos_margin: 0.8, neg_margin: 0.2, distance: { name: 'cosine' } }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => contrastiveRef(x, { pos_margin: 0.8, neg_margin: 0.2, distance: cosine }),
  },
  {
    title: 'triplet_margin (defaults)',
    config: () => ({ name: 'triplet_margin' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => tripletMarginRef(x, { margin: 0.05, swap: false, smooth_loss: false, distance: lp }),
  },
  {
    title: 'triplet_margin (swap, smooth, raw dot product)',
    config: () => ({
      name: 'triplet_margin',
      margin: 0.2,
      swap: true,
      smooth_loss: true,
      distance: { name: 'dot', normalize_embeddings: false },
    }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) =>
      tripletMarginRef(x, {
        margin: 0.2,
        swap: true,
        smooth_loss: true,
        distance: { name: 'dot', normalize_embeddings: false },
      }),
  },
  {
    title: 'quadruplet (defaults)',
    config: () => ({ name: 'quadruplet' }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => quadrupletRef(x, { margin_1: 1, margin_2: 0.5, distance: { name: 'lp', power: 2 } }),
  },
  {
    title: 'n_pairs (defaults)',
    config: () => ({ name: 'n_pairs' }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => nPairsRef(x, { distance: { name: 'dot' } }),
  },
  {
    title: 'lifted_structure (defaults)',
    config: () => ({ name: 'lifted_structure' }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => liftedRef(x, { pos_margin: 0, neg_margin: 1, distance: lp }),
  },
  {
    title: 'generalized_lifted_structure (defaults)',
    config: () => ({ name: 'generalized_lifted_structure' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => generalizedLiftedRef(x, { pos_margin: 0, neg_margin: 1, distance: lp }),
  },
  {
    title: 'margin (defaults, fixed beta)',
    config: () => ({ name: 'margin' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) =>
      marginRef({ ...x, beta: [1.2] }, { margin: 0.2, nu: 0, learn_beta: false, distance: lp }),
  },
  {
    title: 'margin (learned beta, nu 0.05)',
    config: () => ({ name: 'margin', learn_beta: true, nu: 0.05 }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) =>
      marginRef({ ...x, beta: x.params.beta[0] }, { margin: 0.2, nu: 0.05, learn_beta: true, distance: lp }),
  },
  {
    title: 'margin (learned beta per class, nu 0.1)',
    config: (_, n) => ({ name: 'margin', learn_beta: true, num_classes: n, nu: 0.1, beta: 0.9 }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) =>
      marginRef({ ...x, beta: x.params.beta[0] }, { margin: 0.2, nu: 0.1, learn_beta: true, distance: lp }),
    notTrained:
      'PML divides the per-class beta regulariser (one term per triplet) by the active-pair count, so the total rises as pairs go inactive; the single-beta case trains',
  },
  {
    title: 'multi_similarity (defaults)',
    config: () => ({ name: 'multi_similarity' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => multiSimilarityRef(x, { alpha: 2, beta: 50, base: 0.5, distance: cosine }),
  },
  {
    title: 'circle (defaults)',
    config: () => ({ name: 'circle' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => circleRef(x, { m: 0.4, gamma: 80 }),
  },
  {
    title: 'ntxent (defaults)',
    config: () => ({ name: 'ntxent' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => ntxentRef(x, { temperature: 0.07, distance: cosine }),
  },
  {
    title: 'ntxent (Euclidean, temperature 0.5)',
    config: () => ({ name: 'ntxent', temperature: 0.5, distance: { name: 'lp' } }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => ntxentRef(x, { temperature: 0.5, distance: lp }),
  },
  {
    title: 'supcon (defaults)',
    config: () => ({ name: 'supcon' }),
    labels: 'classes',
    supportsRef: true,
    reference: (x) => supconRef(x, { temperature: 0.1, distance: cosine }),
  },
  {
    title: 'multiple_negatives_ranking (defaults)',
    config: () => ({ name: 'multiple_negatives_ranking' }),
    labels: 'pairs',
    supportsRef: true,
    reference: (x) => mnrlRef({ E: x.E, ref: x.ref! }, { scale: 20, symmetric: false }),
  },
  {
    title: 'multiple_negatives_ranking (symmetric)',
    config: () => ({ name: 'multiple_negatives_ranking', symmetric: true }),
    labels: 'pairs',
    supportsRef: true,
    reference: (x) => mnrlRef({ E: x.E, ref: x.ref! }, { scale: 20, symmetric: true }),
  },
  {
    title: 'cosent (defaults)',
    config: () => ({ name: 'cosent' }),
    labels: 'scores',
    supportsRef: true,
    reference: (x) => cosentRef({ E: x.E, ref: x.ref!, scores: x.scores! }, { scale: 20 }),
  },
  {
    title: 'proxy_nca (defaults)',
    config: (dim, n) => ({ name: 'proxy_nca', ...classes(dim, n) }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) =>
      proxyNcaRef(
        { ...x, proxies: x.params.proxies },
        { softmax_scale: 1, distance: { name: 'lp', power: 2 } },
      ),
  },
  {
    title: 'proxy_anchor (defaults)',
    config: (dim, n) => ({ name: 'proxy_anchor', ...classes(dim, n) }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => proxyAnchorRef({ ...x, proxies: x.params.proxies }, { margin: 0.1, alpha: 32 }),
  },
  {
    title: 'normalized_softmax (defaults)',
    config: (dim, n) => ({ name: 'normalized_softmax', ...classes(dim, n) }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => normalizedSoftmaxRef({ ...x, W: x.params.W }, { temperature: 0.05 }),
  },
  {
    title: 'arcface (defaults)',
    config: (dim, n) => ({ name: 'arcface', ...classes(dim, n) }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => largeMarginRef({ ...x, W: x.params.W }, { kind: 'arcface', margin: 28.6, scale: 64 }),
    // 64 unit rows in 4 dimensions against 8 random class weights: some target angles exceed π - m.
    extraVariants: [{ rows: 64, dim: 4, classes: 8, seed: 21, unit: true, withRef: false }],
  },
  {
    title: 'cosface (defaults)',
    config: (dim, n) => ({ name: 'cosface', ...classes(dim, n) }),
    labels: 'classes',
    supportsRef: false,
    reference: (x) => largeMarginRef({ ...x, W: x.params.W }, { kind: 'cosface', margin: 0.35, scale: 64 }),
  },
];
