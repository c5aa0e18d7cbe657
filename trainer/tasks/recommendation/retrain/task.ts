import { join } from 'node:path';
import { readRunFile } from '../../../pipeline/run-dir.ts';
import type { EventLog } from '../../../retrain/event-log.ts';
import { snapshotDir } from '../../../retrain/snapshot.ts';
import type { RetrainTask } from '../../../retrain/task.ts';
import { type RecsConfig, RecsConfigSchema } from '../config.ts';
import { HEADLINE_METRICS } from '../evaluate.ts';
import { evaluateRecsStage, RecsEvaluationSchema } from '../stages/evaluate.ts';
import { exportRecsStage } from '../stages/export.ts';
import { indexRecsStage } from '../stages/index-build.ts';
import { publishRecsStage } from '../stages/publish.ts';
import { reportRecsStage } from '../stages/report.ts';
import { trainRecsStage } from '../stages/train.ts';
import { compareRecsWithChampion } from './compare.ts';
import { csvCopies, csvFilesSource } from './csv-files-source.ts';
import { edgeEventsSource, eventLogSource } from './edge-events-source.ts';

/**
 * Retraining a recommendation model: its CSV files and the events the edge recorded since, both frozen
 * into the snapshot; the recommendation stages, trained on the snapshot's copies with the events added
 * to `data.interactions`; candidate and champion compared as served (recs-compare.ts); and, as the
 * publish stage demands, a candidate must beat the most-popular and item-kNN baselines.
 */
export function createRecsRetrainTask(config: RecsConfig, events: readonly EventLog[]): RetrainTask {
  const files = events.map((log) => eventLogSource(log).file);
  if (new Set(files).size !== files.length) {
    throw new Error('two event logs write the same snapshot file: give each its own source');
  }
  return {
    model: config.name,
    config,
    backend: config.backend,
    sources: [
      csvFilesSource(config.data),
      ...events.map((log) =>
        edgeEventsSource(log, {
          collection: config.index.collection,
          columns: config.data.interactionColumns,
        }),
      ),
    ],
    stages: {
      train: (context) => trainRecsStage({ ...context, config: onSnapshot(config, context.runDir, files) }),
      evaluate: ({ runDir, progress }) => evaluateRecsStage(runDir, progress),
      export: ({ runDir, progress }) => exportRecsStage(runDir, progress),
      index: ({ runDir, progress }) => indexRecsStage(runDir, progress),
      report: ({ runDir, progress }) => reportRecsStage(runDir, progress),
    },
    // The comparison reads each model's item vectors from its index, as the edge does (seconds).
    stagesBeforeGate: ['train', 'evaluate', 'export', 'index'],
    stagesAfterGate: ['report'],
    compare: compareRecsWithChampion,
    refusal: baselinesRefusal,
    publish: publishRecsStage,
  };
}

/** The config a run trains with: the same recipe, reading the snapshot's copies and recorded events. */
function onSnapshot(config: RecsConfig, runDir: string, eventFiles: readonly string[]): RecsConfig {
  const dir = snapshotDir(runDir);
  const copies = csvCopies(config.data, dir);
  return {
    ...config,
    data: {
      ...config.data,
      items: copies.items,
      interactions: [...copies.interactions, ...eventFiles.map((file) => join(dir, file))],
    },
  };
}

/** The publish stage refuses a model that does not beat both baselines (unless the config allows it). */
function baselinesRefusal(runDir: string): string | undefined {
  const config = readRunFile(runDir, 'config', RecsConfigSchema);
  const evaluation = readRunFile(runDir, 'evaluation', RecsEvaluationSchema);
  if (evaluation.beatsBaselines || !config.evaluation.mustBeatBaselines) return undefined;
  const figures = HEADLINE_METRICS.map(
    (name) =>
      `${name} ${evaluation.model[name].toFixed(4)} vs most-popular ${evaluation.mostPopular[name].toFixed(4)} ` +
      `and item-kNN ${evaluation.itemKnn[name].toFixed(4)}`,
  );
  return `does not beat both baselines on its test split (evaluation.mustBeatBaselines): ${figures.join('; ')}`;
}
