import type { ScoredPair } from './scored-pair.ts';

/**
 * STS-B pairs as duplicate decisions: a pair "matches" when annotators scored it at least 4 ("the two
 * sentences are mostly equivalent, but some unimportant details differ"). A model trained on STS-B
 * calibrates its match threshold on the validation tenth of STS-B train and is judged on STS-B dev.
 */
export const STS_MATCH_MIN_SCORE = 4;

export function stsDecisionPairs(pairs: readonly ScoredPair[]): {
  pairs: [string, string][];
  matches: boolean[];
} {
  return {
    pairs: pairs.map((p): [string, string] => [p.a, p.b]),
    matches: pairs.map((p) => p.score >= STS_MATCH_MIN_SCORE),
  };
}
