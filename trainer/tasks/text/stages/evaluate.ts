import { z } from 'zod';
import { mulberry32 } from '../../../../shared/random.ts';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { dot } from '../../../../shared/vector.ts';
import { initTextEncoder } from '../../../encoder/text-encoder.ts';
import {
  PairMetricsSchema,
  pairMetrics,
  ThresholdChoiceSchema,
  thresholdForPrecision,
} from '../../../eval/pairs.ts';
import { RetrievalMetricsSchema } from '../../../eval/retrieval.ts';
import { DEFAULT_VERIFICATION_FAR } from '../../../eval/verification.ts';
import { writeRunFile } from '../../../pipeline/run-dir.ts';
import {
  describeVerification,
  evaluateVerification,
  samplePairScores,
  VerificationEvaluationSchema,
} from '../../../pipeline/verification-eval.ts';
import { formatMetrics } from '../../../train/loop.ts';
import { type ProgressReporter, timedStep } from '../../../train/progress.ts';
import type { Synset } from '../data/wordnet.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { glossLemmaDecisionPairs, glossLemmaRetrievalSet } from '../data/wordnet-pairs.ts';
import { loadSimilarityData } from '../similarity/benchmarks.ts';
import { STS_MATCH_MIN_SCORE, stsDecisionPairs } from '../similarity/calibration.ts';
import { datasetsDir } from '../similarity/datasets.ts';
import { evaluateSimilarity, SimilarityEvaluationSchema } from '../similarity/similarity-eval.ts';
import { type EmbedTexts, embedAll, evaluateTextRetrieval, headlineMetrics } from './retrieval-eval.ts';
import { tfjsEmbedder } from './train.ts';
import { loadTrainedTextModel } from './weights.ts';

function precisionRecallAt(scores: number[], matches: boolean[], threshold: number) {
  let truePositives = 0;
  let predicted = 0;
  let positives = 0;
  scores.forEach((score, i) => {
    if (matches[i]) positives += 1;
    if (score >= threshold) {
      predicted += 1;
      if (matches[i]) truePositives += 1;
    }
  });
  return {
    precision: predicted ? truePositives / predicted : 0,
    recall: positives ? truePositives / positives : 0,
  };
}

/** The text evaluate stage's eval.json. */
export const TextEvaluationSchema = z.object({
  protocol: z.string(),
  testSynsets: z.number().int().nonnegative(),
  tfjs: RetrievalMetricsSchema,
  /** The same architecture untrained (its seeded initialisation): what training must beat. */
  untrained: RetrievalMetricsSchema,
  /** STS-B dev and PAWS held-out, with the TF-IDF baselines beside the model (when the data is present). */
  similarity: SimilarityEvaluationSchema,
  /** Match decisions: a threshold calibrated on validation pairs, judged on test pairs. */
  decision: z.object({
    /** Which pairs set the threshold and which judged it, for the manifest. */
    calibratedOn: z.string(),
    targetPrecision: z.number(),
    threshold: ThresholdChoiceSchema.nullable(),
    test: PairMetricsSchema.extend({
      atThreshold: z.object({ precision: JsonNumberSchema, recall: JsonNumberSchema }).nullable(),
    }),
  }),
  /**
   * Verification (same synset or not) of (gloss, lemma) pairs: a threshold for a false-accept rate,
   * calibrated on validation synsets, judged on test synsets. Absent in runs evaluated before it existed.
   */
  verification: VerificationEvaluationSchema.optional(),
});
export type TextEvaluation = z.infer<typeof TextEvaluationSchema>;

/**
 * Stage 2: gloss -> lemma retrieval on the held-out test synsets (never seen in training or model
 * selection), with the TF.js weights of the best checkpoint.
 */
export async function evaluateTextStage(runDir: string, progress: ProgressReporter): Promise<TextEvaluation> {
  const { config, featurizer, weights } = loadTrainedTextModel(runDir);
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  const set = glossLemmaRetrievalSet(dataset.test);
  const retrieval = `gloss -> lemma retrieval on ${set.queries.length} test queries`;
  const tfjs = await timedStep(progress, `${retrieval}, trained model`, () =>
    evaluateTextRetrieval(tfjsEmbedder(weights, featurizer), set, weights.outputDim, progress),
  );
  // Calibration below uses the same TF.js weights; the served ONNX files match them (see export.json).
  const initial = initTextEncoder(weights.buckets, config.model, config.seed);
  const untrained = await timedStep(progress, `${retrieval}, untrained model`, () =>
    evaluateTextRetrieval(tfjsEmbedder(initial, featurizer), set, weights.outputDim, progress),
  );
  const embed = tfjsEmbedder(weights, featurizer);
  const scorePairs = async ({ pairs, matches }: { pairs: [string, string][]; matches: boolean[] }) => {
    const dim = weights.outputDim;
    const a = await embedAll(
      embed,
      pairs.map((p) => p[0]),
      dim,
    );
    const b = await embedAll(
      embed,
      pairs.map((p) => p[1]),
      dim,
    );
    const scores = pairs.map((_, i) =>
      dot(a.subarray(i * dim, (i + 1) * dim), b.subarray(i * dim, (i + 1) * dim)),
    );
    return { scores, matches };
  };
  const similarityData = loadSimilarityData(datasetsDir(config.datasets));
  for (const missing of similarityData.missing) progress.log(`similarity benchmark skipped: ${missing}`);
  const similarity = await timedStep(progress, 'STS-B and PAWS with the TF-IDF baselines', () =>
    evaluateSimilarity(embed, weights.outputDim, similarityData),
  );
  // A model trained on STS-B decides duplicates as STS-B defines them; the WordNet model as WordNet does.
  const stsTrained = config.sources?.some((s) => s.source === 'stsb') && similarityData.sts;
  const calibratedOn = stsTrained
    ? `STS-B: validation tenth of train, match = score >= ${STS_MATCH_MIN_SCORE}; judged on STS-B dev`
    : 'WordNet validation synsets: (gloss, own lemma) vs (gloss, random other lemma)';
  const [validationPairs, testPairs] = await timedStep(progress, 'match threshold calibration', async () =>
    stsTrained
      ? [
          await scorePairs(stsDecisionPairs(similarityData.sts!.validation)),
          await scorePairs(stsDecisionPairs(similarityData.sts!.dev)),
        ]
      : [
          await scorePairs(glossLemmaDecisionPairs(dataset.validation, mulberry32(config.seed + 11))),
          await scorePairs(glossLemmaDecisionPairs(dataset.test, mulberry32(config.seed + 13))),
        ],
  );
  const verification = await timedStep(progress, 'verification threshold calibration', async () =>
    evaluateVerification({
      validation: await glossLemmaPairScores(embed, weights.outputDim, dataset.validation, config.seed + 17),
      test: await glossLemmaPairScores(embed, weights.outputDim, dataset.test, config.seed + 19),
      // A config pinned before verification existed lacks the field: the default then.
      targetFar: config.calibration.verificationFar ?? DEFAULT_VERIFICATION_FAR,
      calibratedOn: `WordNet validation synsets: each gloss with its own first lemma (same) and the first lemmas of ${GLOSS_LEMMA_IMPOSTORS} other synsets (different); judged on test synsets`,
    }),
  );
  const targetPrecision = config.calibration.targetPrecision;
  const threshold = thresholdForPrecision(validationPairs.scores, validationPairs.matches, targetPrecision);
  const evaluation: TextEvaluation = {
    protocol: 'WordNet gloss -> lemma retrieval on held-out synsets, cosine distance',
    testSynsets: dataset.test.length,
    tfjs,
    untrained,
    similarity,
    decision: {
      calibratedOn,
      targetPrecision,
      threshold,
      test: {
        ...pairMetrics(testPairs.scores, testPairs.matches),
        atThreshold: threshold && precisionRecallAt(testPairs.scores, testPairs.matches, threshold.threshold),
      },
    },
    verification,
  };
  writeRunFile(runDir, 'evaluation', TextEvaluationSchema, evaluation);
  progress.log(`test (${dataset.test.length} held-out synsets): ${formatMetrics(headlineMetrics(tfjs))}`);
  progress.log(`same model untrained: ${formatMetrics(headlineMetrics(untrained))}`);
  for (const [benchmark, scorers] of Object.entries(similarity)) {
    const line = Object.entries(scorers).map(([scorer, metrics]) => `${scorer} ${formatMetrics(metrics)}`);
    progress.log(`${benchmark}: ${line.join('; ')}`);
  }
  const { test } = evaluation.decision;
  progress.log(
    `match threshold for precision ${targetPrecision}: ${threshold ? threshold.threshold.toFixed(4) : 'none reaches it'}; ` +
      `test pairs ROC-AUC ${test.rocAuc.toFixed(4)}` +
      (test.atThreshold
        ? `, precision ${test.atThreshold.precision.toFixed(4)} recall ${test.atThreshold.recall.toFixed(4)}`
        : ''),
  );
  progress.log(describeVerification(verification));
  return evaluation;
}

/** Impostor lemmas drawn per gloss: 2,356 validation synsets give about 235,000 impostor pairs. */
const GLOSS_LEMMA_IMPOSTORS = 100;

/**
 * Verification pairs of a split: each synset's gloss with its own first lemma (genuine) and with the first
 * lemma of GLOSS_LEMMA_IMPOSTORS other synsets drawn at random (impostors; left out when that lemma is
 * also one of the gloss's synset's, as "bank" is of several).
 */
async function glossLemmaPairScores(
  embed: EmbedTexts,
  dim: number,
  synsets: readonly Synset[],
  seed: number,
) {
  const firstLemmas = synsets.map((s) => s.lemmas[0]);
  return samplePairScores({
    a: await embedAll(
      embed,
      synsets.map((s) => s.gloss),
      dim,
    ),
    b: await embedAll(embed, firstLemmas, dim),
    dim,
    perRow: GLOSS_LEMMA_IMPOSTORS,
    random: mulberry32(seed),
    diagonal: true,
    judge: (i, j) => (i === j ? true : synsets[i].lemmas.includes(firstLemmas[j]) ? null : false),
  });
}
