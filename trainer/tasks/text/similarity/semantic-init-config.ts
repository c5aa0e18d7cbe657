import { z } from 'zod';

/**
 * `semanticInit` in a text config (applied by semantic-init.ts; kept apart so that parsing a config does not
 * load the checkpoint reader): the table's last columns are the rows of a trained text model (the
 * WordNet one), the first ones stay lexical (IDF-scaled random rows, a projection of TF-IDF), and the dense
 * layer is block-diagonal, lexicalScale x identity on the lexical part and the trained model's kernel on
 * its part. Untrained, the cosine then mixes a near-exact TF-IDF cosine with the trained model's cosine,
 * and it is still the same table -> dense -> normalise model for the exporter and the edge.
 */
export const SemanticInitSchema = z
  .object({
    /**
     * A trained text run (its config and best checkpoint), or several: each fills its own block of
     * columns, in order, after the lexical ones. A path (with a '/') names the run's folder; a bare
     * name is a run id in the runs folder or a config's name, standing for that config's newest
     * trained run there, so a chain of configs reproduces without editing.
     */
    run: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Weight of the lexical block against the trained blocks (chosen on the STS-B validation tenth). */
    lexicalScale: z.number().positive().default(0.2),
  })
  .strict();
export type SemanticInit = z.infer<typeof SemanticInitSchema>;
