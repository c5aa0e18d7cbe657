import { mulberry32, shuffle } from '../shared/random.ts';
import { loadWordNet, type Synset } from '../trainer/tasks/text/data/wordnet.ts';

/** A seeded sample of WordNet synsets: the benchmark's inputs are real text, and the same every run. */
export function sampleSynsets(count: number, seed: number): Synset[] {
  return shuffle(loadWordNet(), mulberry32(seed)).slice(0, count);
}

/** Glosses and lemmas alternating: the long and the short inputs an embedding endpoint gets. */
export function glossesAndLemmas(count: number, seed: number): string[] {
  return sampleSynsets(count, seed).map((synset, i) => (i % 2 === 0 ? synset.gloss : synset.lemmas[0]));
}
