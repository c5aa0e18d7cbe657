import { z } from 'zod';

/**
 * Two texts and how alike people judged them: a graded score (STS Benchmark, 0-5) or a paraphrase label
 * (PAWS, 1 = paraphrase, 0 = not). Every loader in this folder returns these.
 */
export const ScoredPairSchema = z
  .object({
    a: z.string(),
    b: z.string(),
    score: z.number().finite(),
  })
  .strict();
export type ScoredPair = z.infer<typeof ScoredPairSchema>;

/** Where a file or folder of data lives, for errors that say what to do when it is missing. */
export class MissingDataError extends Error {
  constructor(
    readonly path: string,
    what: string,
  ) {
    super(`${path} not found: ${what}`);
    this.name = 'MissingDataError';
  }
}

/** The problem with line `line` of `source`, with the line number a human needs to find it. */
export function lineError(source: string, line: number, problem: string): Error {
  return new Error(`${source}:${line}: ${problem}`);
}
