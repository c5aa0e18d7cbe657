import type { FeatureBatch, TextFeaturizer } from '../../shared/featurizer/text.ts';
import { padFeatures } from '../../shared/onnx/sub-batches.ts';
import { dot, norm } from '../../shared/vector.ts';
import type { PairExplanation } from '../schemas.ts';

/**
 * Exact explanations of a pooled bag model's cosine scores.
 *
 * The served model computes u = sum_f s_f P_f + bias, then embedding = u / |u|, where s_f is feature f's
 * share of the text's total weight and P_f its table row projected by the dense layer. So
 *   score = u_a . u_b / (|u_a| |u_b|)
 *         = sum_f s_f P_f . e_b / |u_a|  +  bias . e_b / |u_a|      (e = u / |u|)
 * and the same with a and b swapped. Averaging the two readings splits the score into one term per
 * feature of a, one per feature of b and a bias term, which add up to the score exactly (up to float
 * rounding): feature f of a contributes s_f (P_f . e_b) / (2 |u_a|), how far it points along the other
 * text. P_f comes from the served file itself, by running one-feature batches through its output before
 * normalisation, so int8 rounding is part of the explanation too.
 */

/** The model's output before L2 normalisation for a feature batch: row-major [batch * dim]. */
export interface FeatureProjector {
  projectBatch(batch: FeatureBatch): Promise<Float32Array>;
}

/** The projector an embedder offers when its model was exported with the `unnormalized` output. */
export function projectorOf(embedder: object): FeatureProjector | undefined {
  const candidate = embedder as Partial<FeatureProjector>;
  return typeof candidate.projectBatch === 'function' ? (candidate as FeatureProjector) : undefined;
}

type SideExplanation = PairExplanation['a'];
type FeatureContribution = SideExplanation['features'][number];

/** Guards the pooling weight total as the exported graph's `pooling_epsilon` does. */
const POOLING_EPSILON = 1e-6;

/** Explains each pair's cosine; `top` features per side are listed, the rest summed. */
export async function explainPairs(
  pairs: readonly (readonly [string, string])[],
  featurizer: TextFeaturizer,
  projector: FeatureProjector,
  dim: number,
  top: number,
): Promise<PairExplanation[]> {
  const texts = [...new Set(pairs.flat())];
  const features = new Map(texts.map((text) => [text, featurizer.featurize(text)]));
  const ids = [...new Set(texts.flatMap((text) => Array.from(features.get(text)!.ids)))];

  // Two runs: the empty text (bias) and every text (u), then every feature alone (P_f + bias).
  const empty = { ids: new Int32Array(0), weights: new Float32Array(0) };
  const whole = await projector.projectBatch(padFeatures([empty, ...texts.map((t) => features.get(t)!)]));
  const alone = await projector.projectBatch({
    ids: Int32Array.from(ids),
    weights: new Float32Array(ids.length).fill(1),
    batch: ids.length,
    length: 1,
  });
  const bias = whole.subarray(0, dim);
  const unnormalized = new Map(texts.map((text, i) => [text, whole.subarray((i + 1) * dim, (i + 2) * dim)]));
  const projected = new Map(
    ids.map((id, i) => [
      id,
      Float32Array.from(alone.subarray(i * dim, (i + 1) * dim), (v, k) => v - bias[k]),
    ]),
  );

  const side = (text: string, other: string): { explanation: SideExplanation; bias: number } => {
    const u = unnormalized.get(text)!;
    const otherU = unnormalized.get(other)!;
    const scale = 2 * norm(u) * norm(otherU);
    // A zero vector has no direction: the score is 0 and so is every term.
    if (scale === 0) return { explanation: { features: [], rest: 0 }, bias: 0 };
    const own = features.get(text)!;
    let total = 0;
    for (const w of own.weights) total += w;
    const perId = new Map<number, number>();
    own.ids.forEach((id, slot) => {
      const share = own.weights[slot] / Math.max(total, POOLING_EPSILON);
      perId.set(id, (share * dot(projected.get(id)!, otherU)) / scale);
    });
    // Several names can share a bucket; they share its row, so its term splits by their weights.
    const idWeight = new Map<number, number>();
    own.ids.forEach((id, slot) => idWeight.set(id, own.weights[slot]));
    const named = featurizer.explain(text).map((f) => ({
      feature: f.feature,
      weight: f.weight,
      contribution: (perId.get(f.id)! * f.weight) / idWeight.get(f.id)!,
    }));
    return { explanation: summarize(named, top), bias: dot(bias, otherU) / scale };
  };

  return pairs.map(([a, b]) => {
    const left = side(a, b);
    const right = side(b, a);
    return { a: left.explanation, b: right.explanation, bias: left.bias + right.bias };
  });
}

function summarize(named: FeatureContribution[], top: number): SideExplanation {
  const sorted = [...named].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
  const rest = sorted.slice(top).reduce((sum, f) => sum + f.contribution, 0);
  return { features: sorted.slice(0, top), rest };
}
