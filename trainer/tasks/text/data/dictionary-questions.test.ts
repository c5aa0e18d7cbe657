import { describe, expect, it } from 'vitest';
import { dictionaryQuestions } from './dictionary-questions.ts';

const ENTRIES = [
  { headword: 'Hound', definitions: ['A hunting dog that tracks its quarry by scent.', 'A mean person.'] },
  { headword: 'hound', definitions: ['To pursue relentlessly.'] }, // the same word again: its first entry counts
  { headword: 'Growl', definitions: ['To utter a deep guttural sound'] },
  { headword: 'Kitten', definitions: ['A young cat'] }, // three words: too short to be a question
  { headword: 'Bark', definitions: ['The sound a dog makes when it barks'] }, // gives the word away
  { headword: 'Sea dog', definitions: ['An old sailor of many voyages'] }, // not a single word
  { headword: 'Zebu', definitions: ['A humped ox of India and Africa'] }, // not a lemma of the catalogue
  { headword: 'Thermometer', definitions: [] },
  { headword: 'Lamp', definitions: ['A vessel with a wick for burning oil'] },
];
const LEMMAS = new Set(['hound', 'growl', 'kitten', 'bark', 'sea dog', 'thermometer', 'lamp']);

describe('dictionaryQuestions', () => {
  it("asks each catalogue word's first definition of four or more words that does not contain the word", () => {
    const questions = dictionaryQuestions(ENTRIES, LEMMAS, 10, 1);
    expect([...questions].sort((a, b) => a.expect.localeCompare(b.expect))).toEqual([
      { query: 'To utter a deep guttural sound', expect: 'growl' },
      { query: 'A hunting dog that tracks its quarry by scent.', expect: 'hound' },
      { query: 'A vessel with a wick for burning oil', expect: 'lamp' },
    ]);
  });

  it('draws count of them, the same ones for the same seed', () => {
    const two = dictionaryQuestions(ENTRIES, LEMMAS, 2, 7);
    expect(two).toHaveLength(2);
    expect(dictionaryQuestions(ENTRIES, LEMMAS, 2, 7)).toEqual(two);
    const draws = new Set(
      [1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(dictionaryQuestions(ENTRIES, LEMMAS, 2, seed))),
    );
    expect(draws.size).toBeGreaterThan(1);
  });
});
