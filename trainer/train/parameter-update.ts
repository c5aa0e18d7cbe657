import { z } from 'zod';
import type { AdamConfig } from './adam.ts';
import { LearningRateDecaySchema, learningRateFactor } from './learning-rate-decay.ts';

/**
 * How a text step moves the parameters (`train.update` in a text config). With a table whose rows were
 * initialised to mean something (IDF-scaled random rows: a projection of TF-IDF), lazy Adam on every
 * element moves each touched row by about the learning rate per step and soon overwrites the small rows of
 * frequent features. `table: 'scale'` learns only each row's length (a per-feature weight; see
 * applyRowScales), 'scale+rows' adds slow element updates on top, and separate learning rates let the
 * dense layer move more slowly, or not at all.
 */
export const ParameterUpdateSchema = z
  .object({
    /**
     * 'rows': Adam on each touched row's elements (default); 'scale': Adam on each touched row's length;
     * 'scale+rows': both, typically a fast length and slowly moving elements.
     */
    table: z.enum(['rows', 'scale', 'scale+rows']).default('rows'),
    /** The rows' elements; defaults to the optimizer's learning rate. */
    tableLearningRate: z.number().positive().optional(),
    /** The rows' lengths; defaults to the optimizer's learning rate. */
    scaleLearningRate: z.number().positive().optional(),
    /** Kernel and bias; defaults to the optimizer's learning rate; 0 freezes them. */
    denseLearningRate: z.number().min(0).optional(),
    /** The word-order layer's (model.wordOrder); defaults to the optimizer's learning rate. */
    wordOrderLearningRate: z.number().positive().optional(),
    /**
     * 'linear': every learning rate falls in a straight line from its value at the first step to zero at
     * the last (sentence-transformers' default schedule, without warm-up); 'none' keeps them constant.
     */
    learningRateDecay: LearningRateDecaySchema.extract(['none', 'linear']).default('none'),
  })
  .strict();
export type ParameterUpdate = z.infer<typeof ParameterUpdateSchema>;

export const DEFAULT_PARAMETER_UPDATE: ParameterUpdate = { table: 'rows', learningRateDecay: 'none' };

/** The Adam settings of one parameter group, with its own learning rate when the update sets one. */
export function withLearningRate(adam: AdamConfig, learningRate: number | undefined): AdamConfig {
  return learningRate === undefined ? adam : { ...adam, learningRate };
}

/**
 * The optimizer settings and update of one step under the update's learning-rate decay: with 'linear',
 * every group's rate times (1 - step / totalSteps).
 */
export function atStep(adam: AdamConfig, update: ParameterUpdate, step: number, totalSteps: number) {
  if (update.learningRateDecay === 'none') return { adam, update };
  const factor = learningRateFactor(update.learningRateDecay, step, totalSteps);
  const scaled = (rate: number | undefined) => (rate === undefined ? undefined : rate * factor);
  return {
    adam: { ...adam, learningRate: adam.learningRate * factor },
    update: {
      ...update,
      tableLearningRate: scaled(update.tableLearningRate),
      scaleLearningRate: scaled(update.scaleLearningRate),
      denseLearningRate: scaled(update.denseLearningRate),
      wordOrderLearningRate: scaled(update.wordOrderLearningRate),
    },
  };
}
