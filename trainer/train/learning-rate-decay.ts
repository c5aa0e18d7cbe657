import { z } from 'zod';

/**
 * How the learning rate falls over a run of `totalSteps` steps, as a multiple of its configured value:
 * 'none' keeps it; 'linear' falls in a straight line to zero at the last step (transformers'
 * get_linear_schedule_with_warmup without warm-up); 'cosine' follows half a cosine to zero (PyTorch's
 * CosineAnnealingLR with T_max = totalSteps, eta_min = 0).
 */
export const LearningRateDecaySchema = z.enum(['none', 'linear', 'cosine']);
export type LearningRateDecay = z.infer<typeof LearningRateDecaySchema>;

/** The factor on the learning rate at (0-based) `step`; steps past the end get 0. */
export function learningRateFactor(decay: LearningRateDecay, step: number, totalSteps: number): number {
  if (decay === 'none') return 1;
  const progress = Math.min(1, step / totalSteps);
  return decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
}
