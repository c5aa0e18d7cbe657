import { z } from 'zod';
import { shuffle } from '../../../../shared/random.ts';
import { type Synset, synsetText } from './wordnet.ts';

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

/**
 * The kinds of WordNet pair and their shares of an epoch's pairs (one pair per synset, its kind drawn by
 * these weights among the kinds the synset has): gloss -> lemma, lemma <-> synonym, example -> lemma,
 * example -> gloss, lemma -> a hypernym's lemma (`@`, `@i`: dog -> canine), and lemma -> a similar or
 * see-also synset's lemma (`&`, `^`: adjective clusters). Relations reach only synsets of the same
 * split, so no held-out synset's lemma is trained on. The entry kinds train the catalogue's asymmetry
 * (a short description against a whole entry, `lemmas: gloss; "examples"`): gloss -> the entry without
 * its gloss, and example -> the entry without that example, so the positive never repeats the anchor.
 */
export const WordNetPairWeightsSchema = z
  .object({
    glossLemma: z.number().min(0).default(0.6),
    lemmaLemma: z.number().min(0).default(0.25),
    exampleLemma: z.number().min(0).default(0.15),
    exampleGloss: z.number().min(0).default(0),
    hypernym: z.number().min(0).default(0),
    similar: z.number().min(0).default(0),
    glossEntry: z.number().min(0).default(0),
    exampleEntry: z.number().min(0).default(0),
  })
  .strict()
  .refine((w) => w.glossLemma > 0, {
    message: 'glossLemma must be above 0: it is the one kind every synset has',
    path: ['glossLemma'],
  });
export type WordNetPairWeights = z.infer<typeof WordNetPairWeightsSchema>;

const HYPERNYM = new Set(['@', '@i']);
const SIMILAR = new Set(['&', '^']);

/**
 * One pair per synset with its kind drawn by `weights` (see WordNetPairWeightsSchema); the synsets'
 * relations are looked up among `synsets` alone.
 */
export function relationPairsEpoch(
  synsets: readonly Synset[],
  weights: WordNetPairWeights,
  random: () => number,
): TextPair[] {
  const byId = new Map(synsets.map((synset) => [synset.id, synset]));
  const related = (synset: Synset, symbols: Set<string>) =>
    (synset.pointers ?? [])
      .filter((p) => symbols.has(p.symbol) && byId.has(p.target))
      .map((p) => byId.get(p.target)!);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const pairs = synsets.map((synset): TextPair => {
    const lemma = pick(synset.lemmas);
    const group = synset.id;
    const hypernyms = weights.hypernym > 0 ? related(synset, HYPERNYM) : [];
    const similar = weights.similar > 0 ? related(synset, SIMILAR) : [];
    const kinds: [number, () => TextPair][] = [
      [weights.glossLemma, () => ({ anchor: synset.gloss, positive: lemma, group })],
      [
        synset.lemmas.length > 1 ? weights.lemmaLemma : 0,
        () => ({ anchor: lemma, positive: pick(synset.lemmas.filter((l) => l !== lemma)), group }),
      ],
      [
        synset.examples.length > 0 ? weights.exampleLemma : 0,
        () => ({ anchor: pick(synset.examples), positive: lemma, group }),
      ],
      [
        synset.examples.length > 0 ? weights.exampleGloss : 0,
        () => ({ anchor: pick(synset.examples), positive: synset.gloss, group }),
      ],
      [
        hypernyms.length > 0 ? weights.hypernym : 0,
        () => ({ anchor: lemma, positive: pick(pick(hypernyms).lemmas), group }),
      ],
      [
        similar.length > 0 ? weights.similar : 0,
        () => ({ anchor: lemma, positive: pick(pick(similar).lemmas), group }),
      ],
      [weights.glossEntry, () => ({ anchor: synset.gloss, positive: entryWithoutGloss(synset), group })],
      [
        synset.examples.length > 0 ? weights.exampleEntry : 0,
        () => {
          const example = pick(synset.examples);
          const others = synset.examples.filter((e) => e !== example);
          return { anchor: example, positive: synsetText({ ...synset, examples: others }), group };
        },
      ],
    ];
    let roll = random() * kinds.reduce((sum, [weight]) => sum + weight, 0);
    for (const [weight, make] of kinds) {
      roll -= weight;
      if (weight > 0 && roll < 0) return make();
    }
    return kinds[0][1]();
  });
  return shuffle(pairs, random);
}

/** A catalogue entry with its gloss left out: its lemmas, then its examples. */
function entryWithoutGloss(synset: Synset): string {
  return [synset.lemmas.join(', '), ...synset.examples.map((e) => `"${e}"`)].join('; ');
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
