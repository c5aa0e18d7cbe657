import type { Synset } from './wordnet.ts';

/** Two texts that should embed close together; `group` keeps two pairs of one synset out of one batch. */
export interface TextPair {
  anchor: string;
  positive: string;
  group: string;
}

/**
 * One positive pair per synset, drawn afresh each epoch: (gloss, lemma) most of the time, then
 * (lemma, synonym) and (example, lemma). One pair per synset per epoch keeps in-batch negatives honest
 * (no synonyms posing as negatives) and weighs lemma-rich synsets like the rest.
 */
export function samplePairsEpoch(synsets: readonly Synset[], random: () => number): TextPair[] {
  const pairs = synsets.map((synset) => samplePair(synset, random));
  return shuffle(pairs, random);
}

function samplePair(synset: Synset, random: () => number): TextPair {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const lemma = pick(synset.lemmas);
  const roll = random();
  if (roll < 0.25 && synset.lemmas.length > 1) {
    const other = pick(synset.lemmas.filter((l) => l !== lemma));
    if (other !== undefined) return { anchor: lemma, positive: other, group: synset.id };
  }
  if (roll > 0.85 && synset.examples.length > 0) {
    return { anchor: pick(synset.examples), positive: lemma, group: synset.id };
  }
  return { anchor: synset.gloss, positive: lemma, group: synset.id };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Seeded split by synset, so no synset's glosses or lemmas leak between train, validation and test. */
export function splitSynsets(
  synsets: readonly Synset[],
  fractions: { validation: number; test: number },
  random: () => number,
): { train: Synset[]; validation: Synset[]; test: Synset[] } {
  const order = shuffle([...synsets], random);
  const nTest = Math.round(order.length * fractions.test);
  const nValidation = Math.round(order.length * fractions.validation);
  return {
    test: order.slice(0, nTest),
    validation: order.slice(nTest, nTest + nValidation),
    train: order.slice(nTest + nValidation),
  };
}

/** Gloss -> lemma retrieval: one query per synset (its gloss), its lemmas as the relevant references. */
export function glossLemmaRetrievalSet(synsets: readonly Synset[]): {
  queries: string[];
  queryLabels: Int32Array;
  references: string[];
  referenceLabels: Int32Array;
} {
  const references: string[] = [];
  const referenceLabels: number[] = [];
  synsets.forEach((synset, label) => {
    for (const lemma of synset.lemmas) {
      references.push(lemma);
      referenceLabels.push(label);
    }
  });
  return {
    queries: synsets.map((s) => s.gloss),
    queryLabels: Int32Array.from(synsets, (_, i) => i),
    references,
    referenceLabels: Int32Array.from(referenceLabels),
  };
}

/**
 * Labelled text pairs for calibrating a match threshold: each synset's gloss with one of its lemmas
 * (a match) and with a lemma of another synset drawn at random (not a match).
 */
export function glossLemmaDecisionPairs(
  synsets: readonly Synset[],
  random: () => number,
): { pairs: [string, string][]; matches: boolean[] } {
  const pairs: [string, string][] = [];
  const matches: boolean[] = [];
  synsets.forEach((synset, i) => {
    pairs.push([synset.gloss, synset.lemmas[Math.floor(random() * synset.lemmas.length)]]);
    matches.push(true);
    const other = synsets[(i + 1 + Math.floor(random() * (synsets.length - 1))) % synsets.length];
    pairs.push([synset.gloss, other.lemmas[Math.floor(random() * other.lemmas.length)]]);
    matches.push(other.lemmas.some((lemma) => synset.lemmas.includes(lemma)));
  });
  return { pairs, matches };
}
