import { z } from 'zod';
import { parseConfig } from './config.ts';
import { createPlainLoss, type MetricLoss, PlainLossConfigSchema } from './losses/index.ts';
import { CrossBatchMemoryConfigSchema, createCrossBatchMemory } from './wrappers/cross-batch-memory.ts';
import { createSelfSupervisedLoss, SelfSupervisedConfigSchema } from './wrappers/self-supervised.ts';

/** Every loss a training config can name, wrappers included. */
export const LossConfigSchema = z.discriminatedUnion('name', [
  ...PlainLossConfigSchema.options,
  CrossBatchMemoryConfigSchema,
  SelfSupervisedConfigSchema,
]);
export type LossConfig = z.infer<typeof LossConfigSchema>;
export type LossConfigInput = z.input<typeof LossConfigSchema>;

export const LOSS_NAMES = LossConfigSchema.options.map((option) => option.shape.name.value);

export function createLoss(input: LossConfigInput): MetricLoss {
  const config = parseConfig('loss', LossConfigSchema, input);
  switch (config.name) {
    case 'cross_batch_memory':
      return createCrossBatchMemory(config);
    case 'self_supervised':
      return createSelfSupervisedLoss(config);
    default:
      return createPlainLoss(config);
  }
}
