import { mulberry32, shuffled } from '../../../../shared/random.ts';
import type { DictionaryEntry } from './gcide.ts';

/** A dictionary definition asked of the catalogue, and the lemma it defines. */
export interface DictionaryQuestion {
  query: string;
  expect: string;
}

/**
 * Questions a person might type, from a dictionary the model never trains on: the first definition of
 * `count` single words the catalogue has as lemmas (drawn with `seed`), keeping definitions of four or
 * more words that do not give the word away. A yardstick for catalogue search many times larger than
 * the hand-written questions (configs/catalogue-queries.json).
 */
export function dictionaryQuestions(
  entries: readonly DictionaryEntry[],
  lemmas: ReadonlySet<string>,
  count: number,
  seed: number,
): DictionaryQuestion[] {
  const questions = new Map<string, DictionaryQuestion>();
  for (const { headword, definitions } of entries) {
    const word = headword.toLowerCase();
    const [definition] = definitions;
    if (questions.has(word) || !/^[a-z]+$/.test(word) || !lemmas.has(word) || !definition) continue;
    if (definition.split(/\s+/).length < 4 || definition.toLowerCase().includes(word)) continue;
    questions.set(word, { query: definition, expect: word });
  }
  return shuffled([...questions.values()], mulberry32(seed)).slice(0, count);
}
