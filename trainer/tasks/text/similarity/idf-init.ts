import type { TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import type { TextEncoderWeights } from '../../../encoder/text-encoder.ts';

/**
 * Frequency-based down-weighting, folded into the initial table: row f is scaled by the smoothed IDF of
 * bucket f over the training texts, idf = ln((1 + n) / (1 + df)) + 1 (scikit-learn's smooth_idf). With
 * random rows, the pooled vector is then a random projection of the text's TF-IDF vector, so the
 * untrained model already scores pairs like TF-IDF cosine and training starts from that baseline
 * instead of from noise. Training keeps adjusting each row, so the weighting stays learnable.
 */
export function bucketDocumentFrequency(featurizer: TextFeaturizer, texts: readonly string[]): Uint32Array {
  const df = new Uint32Array(featurizer.config.buckets);
  for (const text of texts) for (const id of featurizer.featurize(text).ids) df[id] += 1;
  return df;
}

/**
 * The documents the IDF counts: every training text, or with 'sentences' those that are not one of
 * `lemmas`. A lemma is a name, not a document: WordNet's ~200,000 one-word "documents" raise the document
 * frequency of every word that is also a lemma, so dictionary words weigh less than in running text.
 */
export function idfDocuments(
  texts: readonly string[],
  mode: true | 'sentences',
  lemmas: ReadonlySet<string>,
): readonly string[] {
  return mode === 'sentences' ? texts.filter((text) => !lemmas.has(text)) : texts;
}

export function scaleRowsByIdf(weights: TextEncoderWeights, df: Uint32Array, documents: number): void {
  const dim = weights.embeddingDim;
  for (let row = 0; row < weights.buckets; row++) {
    const idf = Math.log((1 + documents) / (1 + df[row])) + 1;
    for (let k = row * dim; k < (row + 1) * dim; k++) weights.table[k] *= idf;
  }
}
