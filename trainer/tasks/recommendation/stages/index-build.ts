import { statSync } from 'node:fs';
import { z } from 'zod';
import { BuildIndexStatsSchema, buildIndex, type IndexItem } from '../../../index/build-index.ts';
import { indexProgress } from '../../../pipeline/index-progress.ts';
import { readRunFile, runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { allItemVectors } from '../inference.ts';
import { itemMetadata } from '../item-metadata.ts';
import { shippedHistories, writeShippedHistories } from '../shipped-histories.ts';
import { RecsRunInfoSchema } from './train.ts';
import { loadTrainedRecsModel } from './weights.ts';

/** The recommendation index stage's index.json. */
export const RecsIndexStatsSchema = BuildIndexStatsSchema.extend({
  /** Users whose history ships with the collection. */
  users: z.number().int().nonnegative(),
});
export type RecsIndexStats = z.infer<typeof RecsIndexStatsSchema>;

/**
 * Stage 4: stores every item's vector (TF.js, full precision, id embedding included) with its title and
 * metadata in index.db (the year and the common categories filterable, see item-metadata.ts), then ships
 * each user's history with it. The edge never
 * recomputes these vectors: it pools them for users and searches them for items.
 */
export async function indexRecsStage(runDir: string, progress: ProgressReporter): Promise<RecsIndexStats> {
  const { config, dataset, features, weights } = loadTrainedRecsModel(runDir);
  const run = readRunFile(runDir, 'run', RecsRunInfoSchema);
  const { dim } = weights;
  const vectors = allItemVectors(weights, features);
  const metadata = itemMetadata(dataset.items);
  const items: IndexItem[] = dataset.items.map((item) => ({
    id: item.id,
    text: item.title,
    metadata: metadata.metadataOf(item),
  }));
  const path = runPath(runDir, 'index');
  const stats = await buildIndex({
    path,
    collection: {
      name: config.index.collection,
      description: config.index.description,
      filterable: metadata.columns,
    },
    model: { name: config.name, version: run.version, dim },
    batchSize: config.index.batchSize,
    items,
    embed: async (_texts, batch) =>
      batch.map((item) => {
        const row = dataset.rowOf.get(item.id)!;
        return vectors.slice(row * dim, (row + 1) * dim);
      }),
    ...indexProgress(progress, items.length),
  });
  const histories = shippedHistories(dataset);
  writeShippedHistories(path, config.index.collection, histories);
  // The histories grew the file after the builder measured it.
  const info: RecsIndexStats = { ...stats, bytes: statSync(path).size, users: histories.length };
  writeRunFile(runDir, 'indexInfo', RecsIndexStatsSchema, info);
  progress.log(
    `index ${path}: ${stats.items} items and ${histories.length} user histories, ` +
      `${(info.bytes / 1e6).toFixed(1)} MB, ${stats.seconds.toFixed(1)} s`,
  );
  return info;
}
