import { encoderParams, type TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { type AdamConfig, adamCheckpoint, addRowScaleSlots, createAdamState } from '../../../train/adam.ts';
import type { LoopModel } from '../../../train/loop.ts';
import { atStep, DEFAULT_PARAMETER_UPDATE, type ParameterUpdate } from '../../../train/parameter-update.ts';
import { featurePairStep, TABLE_SCALE_SLOT } from '../model/text-pair-step.ts';
import { createSourceSchedule } from './schedule.ts';
import type { BatchSource } from './sources.ts';

export interface MultiSourceModelOptions {
  weights: TextEncoderWeights;
  adam: AdamConfig;
  /** Which table update and learning rates (default: Adam on every touched row, one learning rate). */
  update?: ParameterUpdate;
  sources: readonly { source: BatchSource; weight: number }[];
  seed: number;
  /** The run's length, which a learning-rate decay counts down to. */
  totalSteps: number;
  validate: (weights: TextEncoderWeights) => Promise<Record<string, number>>;
}

/**
 * The text encoder trained on several sources at once (see schedule.ts): every step is the shared sparse
 * pair step (train/text-pair-step.ts) on one source's batch with that source's loss. Stats are prefixed
 * with the source's name so the training log tells the sources apart.
 */
export function createMultiSourceModel(options: MultiSourceModelOptions): LoopModel {
  const { weights, sources } = options;
  const params = encoderParams(weights);
  const adam = createAdamState(params);
  const update = options.update ?? DEFAULT_PARAMETER_UPDATE;
  if (update.table !== 'rows') addRowScaleSlots(adam, TABLE_SCALE_SLOT, weights.buckets);
  const checkpoint = adamCheckpoint(params, adam);
  const schedule = createSourceSchedule(
    sources.map((s) => s.weight),
    options.seed,
  );

  return {
    async step(stepIndex) {
      const { source, batch } = schedule.at(stepIndex);
      const { name } = sources[source].source;
      const { anchors, positives, loss } = sources[source].source.batch(batch);
      const now = atStep(options.adam, update, stepIndex, options.totalSteps);
      const result = await featurePairStep(weights, adam, now.adam, anchors, positives, loss, now.update);
      const stats = Object.fromEntries(
        Object.entries(result.stats ?? {}).map(([key, value]) => [`${name}_${key}`, value]),
      );
      return { ...result, stats };
    },
    validate: () => options.validate(weights),
    ...checkpoint,
  };
}
