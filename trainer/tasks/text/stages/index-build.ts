import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Sharding } from '../../../../shared/artifacts/worker-index.ts';
import { createOnnxTextEmbedder } from '../../../../shared/onnx/text-embedder.ts';
import { TEXT_ENCODER_IO } from '../../../export/onnx-text-encoder.ts';
import { type BuildIndexStats, BuildIndexStatsSchema, buildIndex } from '../../../index/build-index.ts';
import { labelCollector } from '../../../index/labelled-collection.ts';
import { readLabelledCsv } from '../../../index/labelled-csv.ts';
import { indexProgress } from '../../../pipeline/index-progress.ts';
import { readRunFile, runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { nodeOrt } from '../../../util/ort.ts';
import { synsetText } from '../data/wordnet.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import {
  checkCatalogueQueries,
  describeQueryChecks,
  loadCatalogueQueries,
  synsetCatalogue,
  writeQueryChecks,
} from './catalogue-queries.ts';
import { TrainRunInfoSchema } from './train.ts';
import { loadTrainedTextModel } from './weights.ts';

function concatRows(rows: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(row, i * dim));
  return out;
}

/**
 * Stage 4: embeds the whole WordNet catalogue (every synset, lemmas with gloss) through the exported
 * model the edge will serve, with the edge's own embedder, into index.db, and the Workers build of it
 * beside (worker-index.json and its shards, split as the config's `index.worker` or `sharding` says).
 * With `index.queries`, it then ranks the catalogue for each query of that file with the same vectors
 * and records where the expected entry lands (catalogue-queries.json in the run).
 */
export async function indexTextStage(
  runDir: string,
  progress: ProgressReporter,
  /** Overrides the config's `index.worker` (`dml-edge index --shards N`). */
  sharding?: Sharding,
): Promise<BuildIndexStats> {
  const { config, featurizer } = loadTrainedTextModel(runDir);
  const run = readRunFile(runDir, 'run', TrainRunInfoSchema);
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  const embedder = await createOnnxTextEmbedder({
    ort: nodeOrt(),
    model: readFileSync(runPath(runDir, config.serve === 'model' ? 'model' : 'modelInt8')),
    featurizer,
    io: TEXT_ENCODER_IO,
    dim: config.model.outputDim,
  });
  const { labelled } = config.index;
  const items = labelled
    ? readLabelledCsv(resolve(labelled.csv))
    : dataset.all.map((synset) => ({
        id: synset.id,
        text: synsetText(synset),
        metadata: { pos: synset.pos, lexname: synset.lexname, lemmas: synset.lemmas },
      }));
  const classes = labelled && labelCollector('label');
  // The catalogue's vectors, kept for the query check (a catalogue of synsets, not a labelled CSV).
  const kept = !labelled && config.index.queries ? new Map<string, Float32Array>() : undefined;
  const embed = async (texts: string[], batch: { id: string }[]) => {
    const vectors = await embedder.embed(texts);
    if (kept) batch.forEach((item, i) => kept.set(item.id, vectors[i]));
    return vectors;
  };
  try {
    const built = await buildIndex({
      path: runPath(runDir, 'index'),
      collection: {
        name: config.index.collection,
        description: config.index.description,
        ...(labelled ? { filterable: [{ name: 'label', type: 'text' as const }] } : {}),
      },
      model: { name: config.name, version: run.version, dim: config.model.outputDim },
      batchSize: config.index.batchSize,
      items,
      embed: classes ? classes.observe(embed) : embed,
      worker: sharding ?? config.index.worker,
      onWorkerShard: (shard, shards, written) =>
        progress.log(`Workers index: shard ${shard + 1}/${shards} written (${written} items)`),
      ...indexProgress(progress, items.length),
    });
    const stats: BuildIndexStats = classes ? { ...built, labels: classes.labels() } : built;
    writeRunFile(runDir, 'indexInfo', BuildIndexStatsSchema, stats);
    progress.log(
      `index ${stats.path}: ${stats.items} items, ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.seconds.toFixed(1)} s`,
    );
    if (kept && config.index.queries) {
      const file = config.index.queries;
      const spec = loadCatalogueQueries(resolve(file));
      const dim = config.model.outputDim;
      const vectors = new Float32Array(dataset.all.length * dim);
      dataset.all.forEach((synset, i) => vectors.set(kept.get(synset.id)!, i * dim));
      const queryVectors = await embedder.embed(spec.queries.map((q) => q.query));
      const [checks] = checkCatalogueQueries(
        file,
        spec,
        concatRows(queryVectors, dim),
        synsetCatalogue(dataset.all, vectors, dim),
      );
      writeQueryChecks(runDir, checks);
      for (const line of describeQueryChecks(checks)) progress.log(line);
    }
    return stats;
  } finally {
    await embedder.release();
  }
}
