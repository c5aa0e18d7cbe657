import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BackendInfo } from '../../../backend/index.ts';
import { createRunDir, newRunId, readRunFile } from '../../../pipeline/run-dir.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import type { TextConfig } from '../config.ts';
import { TextEvaluationSchema } from '../stages/evaluate.ts';
import { TextExportInfoSchema } from '../stages/export.ts';
import { runTextPipeline } from '../stages/pipeline.ts';
import { TrainRunInfoSchema } from '../stages/train.ts';
import { flatSimilarityMetrics } from './similarity-eval.ts';

/** One line of the experiment log: a config's figures, the baselines of the same run, and its int8 size. */
export interface ExperimentRecord {
  config: string;
  run: string;
  steps: number;
  seconds: number;
  /** TF.js weights of the best checkpoint. */
  tfjs: Record<string, number>;
  /** The int8 ONNX file through onnxruntime-web: what the edge serves. */
  int8: Record<string, number>;
  tfidf_word: Record<string, number>;
  tfidf_char: Record<string, number>;
  int8_bytes: number;
  finished_at: string;
}

export const DEFAULT_EXPERIMENT_LOG = 'runs/text-sim-experiments.jsonl';

/**
 * An experiment is a pipeline run through train, evaluate and export (no index, report or publish):
 * STS-B dev Spearman, PAWS held-out ROC-AUC and WordNet test retrieval for the TF.js weights and the
 * int8 file, the TF-IDF baselines computed in the same run, and the int8 file size. The record is
 * appended to the experiment log (JSON lines) and returned.
 */
export async function runTextSimExperiment(options: {
  config: TextConfig;
  runsDir: string;
  backend: BackendInfo;
  progress: ProgressReporter;
  logPath?: string;
}): Promise<ExperimentRecord> {
  const { config } = options;
  const { id, version } = newRunId(config.name);
  const runDir = createRunDir(options.runsDir, id);
  await runTextPipeline({
    config,
    runDir,
    runId: id,
    version,
    backend: options.backend,
    progress: options.progress,
    artifactsDir: '',
    stages: ['train', 'evaluate', 'export'],
  });
  const record = experimentRecord(config.name, runDir);
  const logPath = options.logPath ?? DEFAULT_EXPERIMENT_LOG;
  mkdirSync(dirname(logPath), { recursive: true });
  appendFileSync(logPath, `${JSON.stringify(record)}\n`);
  options.progress.log(`experiment ${id} recorded in ${logPath}`);
  return record;
}

/** The record of a run that has been trained, evaluated and exported. */
export function experimentRecord(configName: string, runDir: string): ExperimentRecord {
  const run = readRunFile(runDir, 'run', TrainRunInfoSchema);
  const evaluation = readRunFile(runDir, 'evaluation', TextEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', TextExportInfoSchema);
  const retrieval = (overall: Record<string, number>) => ({
    wordnet_map_at_r: overall.mean_average_precision_at_r,
    wordnet_precision_at_1: overall.precision_at_1,
  });
  return {
    config: configName,
    run: run.runId,
    steps: run.steps,
    seconds: Math.round(run.seconds),
    tfjs: { ...flatSimilarityMetrics(evaluation.similarity), ...retrieval(evaluation.tfjs.overall) },
    int8: { ...flatSimilarityMetrics(exported.similarity.int8), ...retrieval(exported.onnx.int8.overall) },
    tfidf_word: flatSimilarityMetrics(evaluation.similarity, 'tfidf_word'),
    tfidf_char: flatSimilarityMetrics(evaluation.similarity, 'tfidf_char'),
    int8_bytes: exported.files.int8.bytes,
    finished_at: new Date().toISOString(),
  };
}
