import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readCurrent, versionDir } from '../../shared/artifacts/index.ts';
import { publishTinyModel } from '../../test/http/published-model.ts';
import { uploadToR2 } from '../../trainer/publish/r2.ts';
import { synsetText } from '../../trainer/tasks/text/data/wordnet.ts';
import { sampleSynsets } from '../wordnet-texts.ts';

/** The model the worker serves in the bench: trained for seconds, as the workerd test suite's is. */
export const WORKER_MODEL = { name: 'bench-tiny', version: 'v1', dim: 64, seed: 3 };
export const WORKER_COLLECTION = 'wordnet-sample';
/** Catalogue items: a realistic small collection whose index fits an isolate's 128 MB with room. */
export const WORKER_ITEMS = 10_000;
const SEED = 31;

export interface SeededBucket {
  /** wrangler's state folder holding the local R2 bucket. */
  persistTo: string;
  indexBytes: number;
  modelBytes: number;
}

/**
 * Trains and publishes the tiny model with a collection of WordNet synsets into `dir`/artifacts, then
 * uploads it into a local R2 bucket under `dir`/wrangler, as `dml-edge upload --target r2 --local` does.
 */
export async function seedWorkerBucket(dir: string): Promise<SeededBucket> {
  const artifactsDir = join(dir, 'artifacts');
  const items = sampleSynsets(WORKER_ITEMS, SEED).map((synset) => ({
    id: synset.id,
    text: synsetText(synset),
    metadata: { lexname: synset.lexname },
  }));
  const { embedder } = await publishTinyModel(artifactsDir, {
    ...WORKER_MODEL,
    collection: { name: WORKER_COLLECTION, items },
  });
  await embedder.release();
  const persistTo = join(dir, 'wrangler');
  await uploadToR2({ artifactsDir, bucket: 'dml-edge-models', local: true, persistTo });
  const current = await readCurrent(artifactsDir, WORKER_MODEL.name);
  if (!current) throw new Error(`${WORKER_MODEL.name} was not published`);
  const published = versionDir(artifactsDir, WORKER_MODEL.name, current.version);
  return {
    persistTo,
    indexBytes: statSync(join(published, 'index.db')).size,
    modelBytes: statSync(join(published, 'model.int8.onnx')).size,
  };
}
