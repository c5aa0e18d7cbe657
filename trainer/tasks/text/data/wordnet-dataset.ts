import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../../../shared/random.ts';
import { loadWordNet, type Synset, wordnetDictDir } from './wordnet.ts';
import { splitSynsets } from './wordnet-pairs.ts';

export interface WordNetDataset {
  all: Synset[];
  train: Synset[];
  validation: Synset[];
  test: Synset[];
  /** sha256 over the source files and the split parameters: equal fingerprints, equal data. */
  fingerprint: string;
}

export function loadWordNetDataset(options: {
  seed: number;
  validation: number;
  test: number;
  limit: number;
}): WordNetDataset {
  const dictDir = wordnetDictDir();
  const hash = createHash('sha256');
  for (const file of ['data.noun', 'data.verb', 'data.adj', 'data.adv']) {
    hash.update(file).update(readFileSync(join(dictDir, file)));
  }
  hash.update(JSON.stringify(options));
  let all = loadWordNet(dictDir);
  // A limit takes a seeded sample rather than the first entries, which are all abstract nouns.
  if (options.limit > 0 && options.limit < all.length) {
    const random = mulberry32(options.seed + 7919);
    all = all
      .map((synset) => ({ synset, key: random() }))
      .sort((a, b) => a.key - b.key)
      .slice(0, options.limit)
      .map(({ synset }) => synset);
  }
  const split = splitSynsets(all, options, mulberry32(options.seed));
  return { all, ...split, fingerprint: hash.digest('hex') };
}
