import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readUtf8File } from '../../../util/utf8-text.ts';
import { requireDatasetDir } from './datasets.ts';
import { lineError, MissingDataError, type ScoredPair } from './scored-pair.ts';

/**
 * Parses the PAWS layout: tab-separated `id sentence1 sentence2 label` with label 1 for a paraphrase and
 * 0 otherwise. The released files start with that header line; the copy in the shared folder has none,
 * so a first line whose label column reads "label" is skipped.
 */
export function parsePaws(text: string, source: string): ScoredPair[] {
  const pairs: ScoredPair[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length !== 4)
      throw lineError(source, index + 1, `expected 4 tab-separated fields, found ${fields.length}`);
    if (index === 0 && fields[3] === 'label') return;
    if (fields[3] !== '0' && fields[3] !== '1')
      throw lineError(source, index + 1, `label "${fields[3]}" is not 0 or 1`);
    pairs.push({ a: fields[1], b: fields[2], score: Number(fields[3]) });
  });
  return pairs;
}

/** `<datasets>/paws-wiki/<split>.tsv` (the shared folder holds only `dev`). */
export function loadPaws(datasetsRoot: string, split = 'dev'): ScoredPair[] {
  const path = join(requireDatasetDir(datasetsRoot, 'paws-wiki'), `${split}.tsv`);
  if (!existsSync(path))
    throw new MissingDataError(path, `the PAWS-Wiki ${split} split is not in that folder`);
  return parsePaws(readUtf8File(path), path);
}
