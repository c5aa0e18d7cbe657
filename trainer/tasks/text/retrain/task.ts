import type { RetrainTask } from '../../../retrain/task.ts';
import type { TextConfig } from '../config.ts';
import { wordnetSource } from '../data/wordnet-source.ts';
import { evaluateTextStage } from '../stages/evaluate.ts';
import { exportTextStage } from '../stages/export.ts';
import { indexTextStage } from '../stages/index-build.ts';
import { publishTextStage } from '../stages/publish.ts';
import { reportTextStage } from '../stages/report.ts';
import { trainTextStage } from '../stages/train.ts';
import { compareTextWithChampion } from './compare.ts';
import { wordnetSplits } from './frozen-eval.ts';

/**
 * Retraining a text model: WordNet from the installed package, the text stages, and the comparison on
 * the model's frozen WordNet evaluation set (frozen-eval.ts).
 */
export function createTextRetrainTask(config: TextConfig): RetrainTask {
  return {
    model: config.name,
    config,
    backend: config.backend,
    sources: [wordnetSource()],
    stages: {
      train: (context) => trainTextStage({ ...context, config }),
      evaluate: ({ runDir, progress }) => evaluateTextStage(runDir, progress),
      export: ({ runDir, progress }) => exportTextStage(runDir, progress),
      index: ({ runDir, progress }) => indexTextStage(runDir, progress),
      report: ({ runDir, progress }) => reportTextStage(runDir, progress),
    },
    // The comparison reads the exported files; the index embeds the whole catalogue, so it waits for
    // a candidate that passed the gate.
    stagesBeforeGate: ['train', 'evaluate', 'export'],
    stagesAfterGate: ['index', 'report'],
    compare: (context) => compareTextWithChampion(context, config, wordnetSplits()),
    refusal: () => undefined,
    publish: publishTextStage,
  };
}
