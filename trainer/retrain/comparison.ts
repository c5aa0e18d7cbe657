import type { Scores } from '../registry/schema.ts';

/**
 * Candidate and champion scored on one evaluation set, as the edge would serve each: what the gate
 * judges. Kept in `<run>/comparison.json`.
 */
export interface Comparison {
  evalSet: {
    /** Identifies the cases compared on (text: the frozen set in the registry). */
    sha256: string;
    size: number;
    used: number;
    /** Left out because one of the models trained or validated on them. */
    excluded: number;
    /** Text: synsets gone from WordNet (left out). Recommendation: held-out items the champion's catalogue lacks (kept, ranked last by it). */
    missing: number;
  };
  candidate: Scores;
  champion: { version: string; scores: Scores } | null;
}

/** With fewer usable cases than this share of the set, a comparison would measure noise. */
export const MIN_USABLE_SHARE = 0.5;
