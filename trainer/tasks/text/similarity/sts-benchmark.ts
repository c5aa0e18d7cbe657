import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readUtf8File } from '../../../util/utf8-text.ts';
import { requireDatasetDir } from './datasets.ts';
import { lineError, MissingDataError, type ScoredPair, ScoredPairSchema } from './scored-pair.ts';

export const STS_SPLITS = ['train', 'dev', 'test'] as const;
export type StsSplit = (typeof STS_SPLITS)[number];

/** Scores run from 0 (unrelated) to 5 (equivalent). */
export const STS_MAX_SCORE = 5;

const ScoreSchema = z.coerce.number().min(0).max(STS_MAX_SCORE);

/**
 * Parses the STS Benchmark layout: tab-separated, no header, `genre file year id score s1 s2`, and
 * some rows carry license columns after s2. Split on tabs only: sentences hold quotes that CSV quoting
 * would misread.
 */
export function parseStsBenchmark(text: string, source: string): ScoredPair[] {
  const pairs: ScoredPair[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length < 7)
      throw lineError(source, index + 1, `expected 7 tab-separated fields, found ${fields.length}`);
    const score = ScoreSchema.safeParse(fields[4]);
    if (!score.success) throw lineError(source, index + 1, `score "${fields[4]}" is not a number in [0, 5]`);
    pairs.push(ScoredPairSchema.parse({ a: fields[5], b: fields[6], score: score.data }));
  });
  return pairs;
}

/** One split of `<datasets>/stsbenchmark/sts-<split>.csv`. */
export function loadStsBenchmark(datasetsRoot: string, split: StsSplit): ScoredPair[] {
  const path = join(requireDatasetDir(datasetsRoot, 'stsbenchmark'), `sts-${split}.csv`);
  if (!existsSync(path))
    throw new MissingDataError(path, `the STS Benchmark ${split} split is not in that folder`);
  return parseStsBenchmark(readUtf8File(path), path);
}
