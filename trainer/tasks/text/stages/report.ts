import { mulberry32 } from '../../../../shared/random.ts';
import type { RetrievalMetrics } from '../../../eval/retrieval.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { TrainedRunInfoSchema } from '../../../pipeline/train-run.ts';
import { type ReportDataInput, writeReport } from '../../../report/index.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import type { Synset } from '../data/wordnet.ts';
import { synsetText } from '../data/wordnet.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { flatSimilarityMetrics } from '../similarity/similarity-eval.ts';
import { readQueryChecks } from './catalogue-queries.ts';
import { TextEvaluationSchema } from './evaluate.ts';
import { TextExportInfoSchema } from './export.ts';
import { embedAll, headlineMetrics } from './retrieval-eval.ts';
import { tfjsEmbedder } from './train.ts';
import { loadTrainedTextModel } from './weights.ts';

const MAP_ITEMS = 1500;

/**
 * Stage 5: the run's report.html. The map shows a seeded sample of held-out catalogue entries coloured
 * by WordNet lexicographer file (noun.animal, verb.motion, ...): synsets themselves are too many and too
 * small to colour. The per-class table breaks the gloss -> lemma test metrics down by the same files.
 */
export async function reportTextStage(runDir: string, progress: ProgressReporter): Promise<void> {
  const { config, featurizer, weights } = loadTrainedTextModel(runDir);
  const metrics = readRunFile(runDir, 'metrics', LoopStateSchema);
  const evaluation = readRunFile(runDir, 'evaluation', TextEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', TextExportInfoSchema);
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });

  const lexnames = [...new Set(dataset.all.map((s) => s.lexname))].sort();
  const labelOf = new Map(lexnames.map((name, i) => [name, i]));
  const sample = seededSample(dataset.test, MAP_ITEMS, config.seed);
  const texts = sample.map(synsetText);
  const embeddings = await embedAll(tfjsEmbedder(weights, featurizer), texts, weights.outputDim);

  const validationNames = Object.keys(metrics.history.validation[0]?.metrics ?? {});
  const data: ReportDataInput = {
    title: `${config.name}: WordNet text encoder`,
    runId: readRunFile(runDir, 'run', TrainedRunInfoSchema).runId,
    createdAt: new Date().toISOString(),
    config,
    curves: {
      loss: metrics.history.train.map((t) => ({ step: t.step, value: t.loss })),
      validation: Object.fromEntries(
        validationNames
          .filter((name) => !['queries', 'k'].includes(name))
          .map((name) => [
            name,
            metrics.history.validation.map((v) => ({ step: v.step, value: v.metrics[name] })),
          ]),
      ),
    },
    test: {
      embeddings: { dim: weights.outputDim, data: embeddings },
      labels: sample.map((s) => labelOf.get(s.lexname)!),
      texts,
    },
    classNames: Object.fromEntries(lexnames.map((name, i) => [String(i), name])),
    metrics: {
      // STS-B dev and PAWS held-out beside retrieval, when the benchmarks were there to evaluate.
      overall: { ...headlineMetrics(evaluation.tfjs), ...flatSimilarityMetrics(evaluation.similarity) },
      perClass: byLexname(evaluation.tfjs, dataset.test, labelOf),
      primary: 'mean_average_precision_at_r',
    },
    baselines: [
      { name: 'same encoder, untrained', metrics: headlineMetrics(evaluation.untrained) },
      ...(['tfidf_char', 'tfidf_word'] as const)
        .map((scorer) => ({ name: scorer, metrics: flatSimilarityMetrics(evaluation.similarity, scorer) }))
        .filter((baseline) => Object.keys(baseline.metrics).length > 0),
    ],
    quantization: { fp32: headlineMetrics(exported.onnx.fp32), int8: headlineMetrics(exported.onnx.int8) },
    verification: evaluation.verification,
    queryChecks: readQueryChecks(runDir),
    options: { maxMapPoints: MAP_ITEMS, seed: config.seed, distance: 'cosine' },
  };
  await writeReport(runPath(runDir, 'report'), data, progress);
  progress.log(`report ${runPath(runDir, 'report')}`);
}

/** The per-synset test metrics averaged over the synsets of each lexicographer file. */
function byLexname(metrics: RetrievalMetrics, testSynsets: readonly Synset[], labelOf: Map<string, number>) {
  const groups = new Map<number, { queries: number; sums: Record<string, number> }>();
  for (const perClass of metrics.perClass) {
    const label = labelOf.get(testSynsets[perClass.label].lexname)!;
    const group = groups.get(label) ?? { queries: 0, sums: {} };
    group.queries += perClass.queries;
    for (const [name, value] of Object.entries(perClass.scores)) {
      group.sums[name] = (group.sums[name] ?? 0) + value * perClass.queries;
    }
    groups.set(label, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([label, { queries, sums }]) => ({
      label,
      queries,
      scores: Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / queries])),
    }));
}

function seededSample<T>(items: readonly T[], count: number, seed: number): T[] {
  const random = mulberry32(seed + 1);
  return items
    .map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map(({ item }) => item);
}
