import { z } from 'zod';
import { LossConfigSchema, TextAugmentConfigSchema } from '../../../metric/index.ts';
import { DEFAULT_GCIDE_DIR } from '../data/gcide.ts';
import { WordNetPairWeightsSchema } from '../data/wordnet-pairs.ts';

/**
 * The training mix of a text config: which sources, their share of the steps (`weight`) and their loss.
 * STS-B and PAWS come from the shared datasets folder (STS-B train without its validation tenth, PAWS
 * without its held-out quarter: see benchmarks.ts); `pairs` reads your own JSONL/CSV file.
 */
const weight = z
  .number()
  .positive()
  .default(1)
  .describe("The source's share of training steps, relative to the others.");
const cosent = () => LossConfigSchema.parse({ name: 'cosent', scale: 20 });
const minScore = z
  .number()
  .optional()
  .describe(
    'Train only the pairs scored at least this, as positives of an in-batch loss (every other pair of the ' +
      'batch is a negative), as supervised SimCSE does with entailment pairs. Without it every pair trains ' +
      'with its score as the label (cosent).',
  );

export const SourceConfigSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('wordnet'),
      weight,
      /** Defaults to the config's top-level `loss`. */
      loss: LossConfigSchema.optional(),
      /** The kinds of pair and their shares (relations included); absent, the default model's three kinds. */
      pairs: WordNetPairWeightsSchema.optional(),
    })
    .strict(),
  z
    .object({
      source: z.literal('gcide'),
      weight,
      /** Defaults to the config's top-level `loss`. */
      loss: LossConfigSchema.optional(),
      /** Where Debian's dict-gcide put gcide.dict.dz. */
      dir: z.string().min(1).default(DEFAULT_GCIDE_DIR),
      /**
       * true: when the dictionary is not installed, train without it and say so (a fresh clone has no apt
       * step); false: a missing dictionary is an error.
       */
      optional: z.boolean().default(false),
    })
    .strict(),
  z.object({ source: z.literal('stsb'), weight, loss: LossConfigSchema.default(cosent), minScore }).strict(),
  z.object({ source: z.literal('paws'), weight, loss: LossConfigSchema.default(cosent), minScore }).strict(),
  z
    .object({
      source: z.literal('pairs'),
      path: z.string().min(1),
      weight,
      loss: LossConfigSchema.default(cosent),
      minScore,
    })
    .strict(),
  z
    .object({
      source: z.literal('views'),
      weight,
      /** Whose sentences are augmented into two views each. */
      of: z
        .array(z.enum(['wordnet', 'stsb', 'paws']))
        .min(1)
        .default(['stsb']),
      augment: TextAugmentConfigSchema.default(TextAugmentConfigSchema.parse({})),
      loss: LossConfigSchema.default(() => LossConfigSchema.parse({ name: 'self_supervised' })),
    })
    .strict(),
]);
export const SourcesConfigSchema = z
  .array(SourceConfigSchema.superRefine(refusePositivesWithGradedLoss))
  .min(1);
export type SourceConfig = z.infer<typeof SourceConfigSchema>;

/** Positives alone carry no grades, so a graded loss would see one score everywhere and learn nothing. */
function refusePositivesWithGradedLoss(source: SourceConfig, context: z.RefinementCtx) {
  if ('minScore' in source && source.minScore !== undefined && source.loss.name === 'cosent') {
    context.addIssue({
      code: 'custom',
      path: ['loss'],
      message:
        'minScore trains positives with an in-batch loss: name one (for example multiple_negatives_ranking), not cosent',
    });
  }
}
