import type { z } from 'zod';
import { BuildIndexStatsSchema } from '../../../index/build-index.ts';
import type { RunJsonFile } from '../../../pipeline/run-dir.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import { TextConfigSchema } from '../config.ts';
import { TextEvaluationSchema } from './evaluate.ts';
import { TextExportInfoSchema } from './export.ts';
import { TrainRunInfoSchema } from './train.ts';

/** The schema of each JSON file the text stages write into a run folder: what its readers parse it with. */
export const TEXT_RUN_FILES = {
  config: TextConfigSchema,
  run: TrainRunInfoSchema,
  metrics: LoopStateSchema,
  evaluation: TextEvaluationSchema,
  exportInfo: TextExportInfoSchema,
  indexInfo: BuildIndexStatsSchema,
} satisfies Record<RunJsonFile, z.ZodType>;
