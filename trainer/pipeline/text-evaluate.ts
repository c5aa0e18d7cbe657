import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet } from '../data/wordnet-pairs.ts';
import type { RetrievalMetrics } from '../eval/retrieval.ts';
import { initTextEncoder } from '../models/text-encoder.ts';
import { formatMetrics } from '../train/loop.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { runPath } from './run-dir.ts';
import { evaluateTextRetrieval, headlineMetrics } from './text-retrieval-eval.ts';
import { tfjsEmbedder } from './text-train.ts';
import { loadTrainedTextModel } from './text-weights.ts';

export interface TextEvaluation {
  protocol: string;
  testSynsets: number;
  tfjs: RetrievalMetrics;
  /** The same architecture untrained (its seeded initialisation): what training must beat. */
  untrained: RetrievalMetrics;
}

/**
 * Stage 2: gloss -> lemma retrieval on the held-out test synsets (never seen in training or model
 * selection), with the TF.js weights of the best checkpoint.
 */
export async function evaluateTextStage(runDir: string, progress: ProgressReporter): Promise<TextEvaluation> {
  const { config, featurizer, weights } = loadTrainedTextModel(runDir);
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  const set = glossLemmaRetrievalSet(dataset.test);
  const tfjs = await evaluateTextRetrieval(tfjsEmbedder(weights, featurizer), set, weights.outputDim);
  const initial = initTextEncoder(weights.buckets, config.model, config.seed);
  const untrained = await evaluateTextRetrieval(tfjsEmbedder(initial, featurizer), set, weights.outputDim);
  const evaluation: TextEvaluation = {
    protocol: 'WordNet gloss -> lemma retrieval on held-out synsets, cosine distance',
    testSynsets: dataset.test.length,
    tfjs,
    untrained,
  };
  writeJsonAtomic(runPath(runDir, 'evaluation'), evaluation);
  progress.log(`test (${dataset.test.length} held-out synsets): ${formatMetrics(headlineMetrics(tfjs))}`);
  progress.log(`same model untrained: ${formatMetrics(headlineMetrics(untrained))}`);
  return evaluation;
}
