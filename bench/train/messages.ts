import { z } from 'zod';
import { CNN_KERNELS } from './cnn-step.ts';
import { TrainModelSchema } from './models.ts';

/** What the train section asks of a measuring process, and what that process reports back. */
export const StepRequestSchema = z
  .object({
    job: z.literal('step'),
    model: TrainModelSchema,
    backend: z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']),
    warmup: z.number().int().min(0),
    repeats: z.number().int().positive(),
    /** Stop measuring once this many seconds were spent, keeping at least `minRuns` steps. */
    budgetSeconds: z.number().positive(),
    minRuns: z.number().int().positive(),
    /** Steps run under tf.profile after the measured ones. */
    profileSteps: z.number().int().min(0),
  })
  .strict();
export type StepRequest = z.infer<typeof StepRequestSchema>;

/**
 * The CNN's own step benchmark (bench/train/cnn-step.ts): on wasm with our kernels or the baseline
 * ones, or on webgpu (its own shaders).
 */
export const CnnRequestSchema = z
  .object({
    job: z.literal('cnn'),
    kernels: z.enum(CNN_KERNELS),
    batch: z.number().int().positive(),
    steps: z.number().int().positive(),
    warmupSteps: z.number().int().nonnegative(),
    /** Steps run under tf.profile after the timed ones. */
    profileSteps: z.number().int().min(0),
  })
  .strict();
export type CnnRequest = z.infer<typeof CnnRequestSchema>;

export const MeasureRequestSchema = z.discriminatedUnion('job', [StepRequestSchema, CnnRequestSchema]);
export type MeasureRequest = z.infer<typeof MeasureRequestSchema>;

export const MeasureMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('batch'), batch: z.number().int().positive() }),
  z.object({ kind: z.literal('sample'), ms: z.number().nonnegative() }),
  z.object({
    kind: z.literal('profile'),
    kernels: z.array(z.object({ name: z.string(), ms: z.number().nonnegative() })),
  }),
  z.object({ kind: z.literal('done') }),
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type MeasureMessage = z.infer<typeof MeasureMessageSchema>;
