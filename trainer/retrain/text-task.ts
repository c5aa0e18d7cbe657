import type { TextConfig } from '../config/text-config.ts';
import { evaluateTextStage } from '../pipeline/text-evaluate.ts';
import { exportTextStage } from '../pipeline/text-export.ts';
import { indexTextStage } from '../pipeline/text-index.ts';
import { publishTextStage } from '../pipeline/text-publish.ts';
import { reportTextStage } from '../pipeline/text-report.ts';
import { trainTextStage } from '../pipeline/text-train.ts';
import { wordnetSplits } from './frozen-eval.ts';
import type { RetrainTask } from './task.ts';
import { compareTextWithChampion } from './text-compare.ts';
import { wordnetSource } from './wordnet-source.ts';

/**
 * Retraining a text model: WordNet from the installed package, the text stages, and the comparison on
 * the model's frozen WordNet evaluation set (frozen-eval.ts).
 */
export function textTask(config: TextConfig): RetrainTask {
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
