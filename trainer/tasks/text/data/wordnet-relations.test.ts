import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../shared/random.ts';
import { parseDataLine, type Synset } from './wordnet.ts';
import { relationPairsEpoch, WordNetPairWeightsSchema } from './wordnet-pairs.ts';

// Lines in WordNet 3.1's layout (data.noun, data.adj), cut to the pointers the test needs.
const DOG =
  '02086723 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 003 @ 02085998 n 0000 ~ 02087384 n 0000 ' +
  '+ 01257145 v 0301 | a member of the genus Canis; "the dog barked all night"';
const CANINE = '02085998 05 n 02 canine 0 canid 0 001 ~ 02086723 n 0000 | any of various fissiped mammals';
const WET = '01257145 00 s 01 damp 0 001 & 00119006 a 0000 | slightly wet; "a damp cellar"';
const MOIST = '00119006 00 a 01 moist 0 001 & 01257145 a 0000 | slightly wet';

describe('WordNet relations', () => {
  it('parses synset-to-synset pointers (satellites live in the adjective file) and skips word-to-word ones', () => {
    expect(parseDataLine(DOG, 'n', 'test').pointers).toEqual([
      { symbol: '@', target: 'n02085998' },
      { symbol: '~', target: 'n02087384' },
    ]);
    expect(parseDataLine(WET, 'a', 'test').pointers).toEqual([{ symbol: '&', target: 'a00119006' }]);
  });

  it('draws each kind of pair in its share, following relations only within the given synsets', () => {
    const synsets: Synset[] = [
      parseDataLine(DOG, 'n', 'data.noun:1'),
      parseDataLine(CANINE, 'n', 'data.noun:2'),
      parseDataLine(WET, 'a', 'data.adj:1'),
      parseDataLine(MOIST, 'a', 'data.adj:2'),
    ];
    const only = (kind: string) =>
      WordNetPairWeightsSchema.parse({
        glossLemma: 1e-9,
        lemmaLemma: 0,
        exampleLemma: 0,
        [kind]: 1,
      });
    const random = mulberry32(5);
    for (let epoch = 0; epoch < 20; epoch++) {
      const hypernyms = relationPairsEpoch(synsets, only('hypernym'), random);
      const dog = hypernyms.find((p) => p.group === 'n02086723')!;
      expect(['canine', 'canid']).toContain(dog.positive);
      expect(['dog', 'domestic dog', 'Canis familiaris']).toContain(dog.anchor);
      // canine's only relation is a hyponym: it falls back to gloss -> lemma.
      expect(hypernyms.find((p) => p.group === 'n02085998')!.anchor).toBe('any of various fissiped mammals');
      const similar = relationPairsEpoch(synsets, only('similar'), random);
      expect(similar.find((p) => p.group === 'a01257145')).toMatchObject({
        anchor: 'damp',
        positive: 'moist',
      });
      const examples = relationPairsEpoch(synsets, only('exampleGloss'), random);
      expect(examples.find((p) => p.group === 'a01257145')).toMatchObject({
        anchor: 'a damp cellar',
        positive: 'slightly wet',
      });
    }
    // Without canine in the list (held out), dog's hypernym is not reachable.
    const held = relationPairsEpoch([synsets[0]], only('hypernym'), random);
    expect(held[0].anchor).toBe('a member of the genus Canis');
  });

  it('pairs a gloss or an example with the catalogue entry without it (the entry kinds)', () => {
    const dog = parseDataLine(DOG, 'n', 'data.noun:1');
    const only = (kind: string) =>
      WordNetPairWeightsSchema.parse({ glossLemma: 1e-9, lemmaLemma: 0, exampleLemma: 0, [kind]: 1 });
    const random = mulberry32(3);
    const [gloss] = relationPairsEpoch([dog], only('glossEntry'), random);
    expect(gloss).toMatchObject({ anchor: 'a member of the genus Canis' });
    expect(gloss.positive).toBe('dog, domestic dog, Canis familiaris; "the dog barked all night"');
    const [example] = relationPairsEpoch([dog], only('exampleEntry'), random);
    expect(example).toMatchObject({
      anchor: 'the dog barked all night',
      positive: 'dog, domestic dog, Canis familiaris: a member of the genus Canis',
    });
  });

  it('refuses weights without gloss -> lemma, the kind every synset has', () => {
    expect(WordNetPairWeightsSchema.safeParse({ glossLemma: 0, hypernym: 1 }).success).toBe(false);
  });
});
