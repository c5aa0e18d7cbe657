import type { ImageConfig } from '../image/image-config.ts';
import { evaluateImageStage } from './image-evaluate.ts';
import { exportImageStage } from './image-export.ts';
import { indexImageStage } from './image-index.ts';
import { publishImageStage } from './image-publish.ts';
import { reportImageStage } from './image-report.ts';
import { trainImageStage } from './image-train.ts';
import { type PipelineOptions, runStages, type Stage } from './stages.ts';

export type ImagePipelineOptions = PipelineOptions<ImageConfig>;

/** Stages that need the config's `index` section (a collection to publish). */
const PUBLISHING_STAGES: readonly Stage[] = ['index', 'publish'];

/**
 * The image pipeline, in the text pipeline's run layout (see run-dir.ts). A config without an `index`
 * section is an evaluation run (e.g. the class-disjoint protocol): its index and publish stages are skipped.
 */
export async function runImagePipeline(options: ImagePipelineOptions): Promise<void> {
  const { runDir, progress, config } = options;
  await runStages(
    options,
    {
      train: () => trainImageStage(options),
      evaluate: () => evaluateImageStage(runDir, progress),
      export: () => exportImageStage(runDir, progress),
      index: () => indexImageStage(runDir, progress),
      report: () => reportImageStage(runDir, progress),
      publish: () => publishImageStage(runDir, options.artifactsDir, progress),
    },
    (stage) =>
      PUBLISHING_STAGES.includes(stage) && !config.index
        ? `${config.name} has no index section (an evaluation run)`
        : undefined,
  );
}
