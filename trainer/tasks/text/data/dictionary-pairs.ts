import { shuffle } from '../../../../shared/random.ts';
import type { DictionaryEntry } from './gcide.ts';
import type { TextPair } from './wordnet-pairs.ts';

/** A headword with every definition given for it under any part of speech. */
export interface DictionaryWord {
  headword: string;
  definitions: string[];
}

/** Merges a dictionary's entries by headword, case-insensitively (`Bark` n., v. t. and v. i. are one word). */
export function dictionaryWords(entries: readonly DictionaryEntry[]): DictionaryWord[] {
  const words = new Map<string, DictionaryWord>();
  for (const entry of entries) {
    const key = entry.headword.toLowerCase();
    const word = words.get(key) ?? { headword: key, definitions: [] };
    word.definitions.push(...entry.definitions);
    words.set(key, word);
  }
  return [...words.values()];
}

/**
 * One (definition, headword) pair per word, drawn afresh each epoch: as with WordNet's synsets, one pair
 * per word keeps a word's other senses out of its batch, where they would pose as negatives.
 */
export function sampleDictionaryEpoch(words: readonly DictionaryWord[], random: () => number): TextPair[] {
  const pairs = words.map((word) => ({
    anchor: word.definitions[Math.floor(random() * word.definitions.length)],
    positive: word.headword,
    group: word.headword,
  }));
  return shuffle(pairs, random);
}
