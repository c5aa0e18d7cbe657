import { z } from 'zod';
import { mlpStep } from './mlp.ts';
import type { TrainStep } from './step.ts';
import { textEncoderStep } from './text-encoder.ts';

/** The models the train section steps itself, by the name its tables show (the CNN has its own benchmark). */
export const TRAIN_MODELS = {
  'text encoder (default config, 256 pairs)': textEncoderStep,
  'MLP 784-256-64 (batch 128)': () => mlpStep(128),
} satisfies Record<string, () => TrainStep>;

export const TrainModelSchema = z.enum(Object.keys(TRAIN_MODELS) as [keyof typeof TRAIN_MODELS]);
export type TrainModel = z.infer<typeof TrainModelSchema>;
