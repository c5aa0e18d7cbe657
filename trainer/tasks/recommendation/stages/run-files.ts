import type { z } from 'zod';
import type { RunJsonFile } from '../../../pipeline/run-dir.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import { RecsConfigSchema } from '../config.ts';
import { RecsEvaluationSchema } from './evaluate.ts';
import { RecsExportInfoSchema } from './export.ts';
import { RecsIndexStatsSchema } from './index-build.ts';
import { RecsRunInfoSchema } from './train.ts';

/**
 * The schema of each JSON file the recommendation stages write into a run folder: what its readers parse
 * it with.
 */
export const RECS_RUN_FILES = {
  config: RecsConfigSchema,
  run: RecsRunInfoSchema,
  metrics: LoopStateSchema,
  evaluation: RecsEvaluationSchema,
  exportInfo: RecsExportInfoSchema,
  indexInfo: RecsIndexStatsSchema,
} satisfies Record<RunJsonFile, z.ZodType>;
