import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '../../shared/validation.ts';
import { loadPipelineConfig, type PipelineConfig, parsePipelineConfig } from '../pipeline/pipeline-config.ts';
import { retrainHooksOf } from '../tasks/index.ts';
import { readJsonFile } from '../util/read-json-file.ts';
import { type Gate, GateSchema } from './gate.ts';

/**
 * A retrain job's config (configs/retrain-*.json): which model to train (a training config of any task
 * the job supports, by path relative to this file or inline), the promotion gate, and whether to build
 * the HTML report.
 */
export const RetrainConfigSchema = z
  .object({
    training: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Checked against GateSchema once the task, and so the default metric, is known. */
    gate: z.record(z.string(), z.unknown()).default({}),
    /** The report stage renders maps and tables (tens of seconds on the full model); tests skip it. */
    report: z.boolean().default(true),
  })
  .strict();

export interface RetrainConfig {
  /** A config of a task that retrains (its definition's `retrain` hooks). */
  training: PipelineConfig;
  gate: Gate;
  report: boolean;
}

export function loadRetrainConfig(path: string): RetrainConfig {
  return parseRetrainConfig(readJsonFile(path), path);
}

/**
 * Validates a retrain config. A training config given by path is read relative to `source`'s folder; an
 * inline one has its data paths resolved against that folder.
 */
export function parseRetrainConfig(json: unknown, source: string): RetrainConfig {
  const { training, gate, report } = parseOrThrow(
    RetrainConfigSchema,
    json,
    `${source}: invalid retrain config`,
  );
  const folder = dirname(resolve(source));
  const loaded =
    typeof training === 'string'
      ? loadPipelineConfig(resolve(folder, training))
      : parsePipelineConfig(training, `${source} (training)`, folder);
  const hooks = retrainHooksOf(loaded, source);
  return {
    training: loaded,
    gate: parseOrThrow(
      GateSchema,
      { metric: hooks.defaultGateMetric, ...gate },
      `${source}: invalid retrain config (gate)`,
    ),
    report,
  };
}
