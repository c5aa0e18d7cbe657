import type { z } from 'zod';
import { BuildIndexStatsSchema } from '../../../index/build-index.ts';
import type { RunJsonFile } from '../../../pipeline/run-dir.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import { ImageConfigSchema } from '../config.ts';
import { ImageEvaluationSchema } from './evaluate.ts';
import { ImageExportInfoSchema } from './export.ts';
import { ImageTrainRunInfoSchema } from './train.ts';

/** The schema of each JSON file the image stages write into a run folder: what its readers parse it with. */
export const IMAGE_RUN_FILES = {
  config: ImageConfigSchema,
  run: ImageTrainRunInfoSchema,
  metrics: LoopStateSchema,
  evaluation: ImageEvaluationSchema,
  exportInfo: ImageExportInfoSchema,
  indexInfo: BuildIndexStatsSchema,
} satisfies Record<RunJsonFile, z.ZodType>;
