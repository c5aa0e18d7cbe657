import { createTextFeaturizer, type TextFeaturizerConfig } from '../../../../shared/featurizer/text.ts';
import { initTextEncoder, type TextEncoderShape } from '../../../encoder/text-encoder.ts';
import { tfjsEmbedder } from '../stages/train.ts';
import type { SimilarityData } from './benchmarks.ts';
import { correlationMetrics, embeddingScorer, sentencesOf } from './evaluate.ts';
import { bucketDocumentFrequency, scaleRowsByIdf } from './idf-init.ts';

export interface InitProbe {
  featurizer?: Partial<TextFeaturizerConfig>;
  model: TextEncoderShape;
  /** Scale rows by their IDF over STS-B train sentences (as `idfInit` does over a mix's texts). */
  idf?: boolean;
}

/**
 * A featurizer or shape change measured without training: the seeded, untrained encoder's Spearman x 100
 * on STS-B dev and on the STS-B validation tenth. Seconds per probe, so featurizer options can be compared
 * before spending a training budget on them. Needs a TF.js backend (initBackend) and the STS-B data.
 */
export async function probeUntrainedInit(probe: InitProbe, data: SimilarityData, seed = 1) {
  if (!data.sts) throw new Error(`probing needs STS-B:\n  ${data.missing.join('\n  ')}`);
  const featurizer = createTextFeaturizer(probe.featurizer ?? {});
  const weights = initTextEncoder(featurizer.config.buckets, probe.model, seed);
  if (probe.idf) {
    const texts = sentencesOf(data.sts.train);
    scaleRowsByIdf(weights, bucketDocumentFrequency(featurizer, texts), texts.length);
  }
  const score = embeddingScorer(tfjsEmbedder(weights, featurizer), weights.outputDim);
  return {
    stsb_dev_spearman: correlationMetrics(await score(data.sts.dev), data.sts.dev).spearman,
    stsb_validation_spearman: correlationMetrics(await score(data.sts.validation), data.sts.validation)
      .spearman,
  };
}
