import { PlainLossConfigSchema, REFERENCE_LOSSES } from '../losses/index.ts';

/** The inner loss of a wrapper: one that compares embeddings with reference embeddings by label. */
export const InnerLossConfigSchema = PlainLossConfigSchema.refine(
  (config) => (REFERENCE_LOSSES as readonly string[]).includes(config.name),
  { message: `the wrapped loss must be one of ${REFERENCE_LOSSES.join(', ')}` },
);
