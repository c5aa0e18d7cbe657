import { readFileSync } from 'node:fs';
import type { MetadataColumn } from '../../../../shared/db/index-schema.ts';
import { normalizePixels } from '../../../../shared/image/model-input.ts';
import { createOnnxImageEmbedder } from '../../../../shared/image/onnx-image-embedder.ts';
import {
  type BuildIndexStats,
  BuildIndexStatsSchema,
  buildIndex,
  type IndexItem,
} from '../../../index/build-index.ts';
import { labelCollector } from '../../../index/labelled-collection.ts';
import { indexProgress } from '../../../pipeline/index-progress.ts';
import { readRunFile, runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { nodeOrt } from '../../../util/ort.ts';
import { CNN_ENCODER_IO } from '../onnx-cnn.ts';
import { testSplit } from './evaluate.ts';
import { ImageTrainRunInfoSchema } from './train.ts';
import { loadTrainedImageModel } from './weights.ts';

/** Metadata fields of every indexed image that search requests can filter on. */
export const IMAGE_FILTERABLE: readonly MetadataColumn[] = [
  { name: 'label', type: 'integer' },
  { name: 'class', type: 'text' },
];

/**
 * Stage 4: embeds the protocol's test images (for Fashion-MNIST's catalogue protocol, the whole test set)
 * through the exported model the edge serves, with the edge's own image embedder, into index.db. Each item
 * is `test-<index>` with its class name as text and {label, class, split, index} as metadata; label and
 * class are filterable.
 */
export async function indexImageStage(runDir: string, progress: ProgressReporter): Promise<BuildIndexStats> {
  const { config, weights } = loadTrainedImageModel(runDir);
  if (!config.index)
    throw new Error(`${config.name} has no index section: this run is evaluated, not indexed`);
  const run = readRunFile(runDir, 'run', ImageTrainRunInfoSchema);
  const { test } = testSplit(config);
  const { height, width, embeddingDim } = weights.shape;
  const embedder = await createOnnxImageEmbedder({
    ort: nodeOrt(),
    model: readFileSync(runPath(runDir, config.serve === 'model' ? 'model' : 'modelInt8')),
    io: CNN_ENCODER_IO,
    height,
    width,
    dim: embeddingDim,
  });
  const inputs = normalizePixels(test.pixels, config.normalization);
  const size = height * width;
  const items: IndexItem[] = Array.from({ length: test.count }, (_, index) => ({
    id: `test-${index}`,
    text: test.classNames[test.labels[index]],
    metadata: { label: test.labels[index], class: test.classNames[test.labels[index]], split: 'test', index },
  }));
  // The class name is the label /v1/classify answers with.
  const classes = labelCollector('class');
  try {
    const built = await buildIndex({
      path: runPath(runDir, 'index'),
      collection: {
        name: config.index.collection,
        description: config.index.description,
        filterable: [...IMAGE_FILTERABLE],
      },
      model: { name: config.name, version: run.version, dim: embeddingDim },
      batchSize: config.index.batchSize,
      items,
      embed: classes.observe((_texts, batch) =>
        embedder.embed(
          batch.map((item) => {
            const index = item.metadata?.index as number;
            return inputs.subarray(index * size, (index + 1) * size);
          }),
        ),
      ),
      ...indexProgress(progress, items.length),
    });
    const stats: BuildIndexStats = { ...built, labels: classes.labels() };
    writeRunFile(runDir, 'indexInfo', BuildIndexStatsSchema, stats);
    progress.log(
      `index ${stats.path}: ${stats.items} images, ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.seconds.toFixed(1)} s; ` +
        `filterable: ${IMAGE_FILTERABLE.map((c) => c.name).join(', ')}`,
    );
    return stats;
  } finally {
    await embedder.release();
  }
}
