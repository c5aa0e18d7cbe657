import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { nodeOrt } from '../../trainer/util/ort.ts';
import type { PublishedTextModel } from '../published.ts';

/** The embedder the server runs for this model: the file the manifest serves, on onnxruntime-web. */
export async function openServedEmbedder(published: PublishedTextModel): Promise<TextEmbedder> {
  const { manifest } = published;
  return createOnnxTextEmbedder({
    ort: nodeOrt(),
    model: new Uint8Array(await readFile(join(published.dir, manifest.files[manifest.serve].path))),
    featurizer: createTextFeaturizer(published.input.featurizer),
    io: published.input.onnx,
    dim: manifest.embedding.dim,
  });
}

/** Embeddings as one row-major array. */
export async function embedFlat(embedder: TextEmbedder, texts: readonly string[]): Promise<Float32Array> {
  const rows = await embedder.embed(texts);
  const flat = new Float32Array(rows.length * embedder.dim);
  rows.forEach((row, i) => flat.set(row, i * embedder.dim));
  return flat;
}
