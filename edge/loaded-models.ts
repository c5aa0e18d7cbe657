import { createTextFeaturizer } from '../shared/featurizer/index.ts';
import type { Manifest } from '../shared/manifest.ts';
import { createOnnxTextEmbedder, type OrtModule } from '../shared/onnx/text-embedder.ts';
import { createImageModelEmbedder } from './image/image-model-embedder.ts';
import type { LoadedModel } from './ports.ts';

/** The embedder a manifest's input kind needs, on its served ONNX file; Node and Workers both load this way. */
export function createManifestEmbedder(ort: OrtModule, manifest: Manifest, model: Uint8Array) {
  const { input } = manifest;
  const dim = manifest.embedding.dim;
  return input.kind === 'text'
    ? createOnnxTextEmbedder({
        ort,
        model,
        featurizer: createTextFeaturizer(input.featurizer),
        io: input.onnx,
        dim,
      })
    : createImageModelEmbedder({ ort, model, name: manifest.name, input, dim });
}

/**
 * The default model (the one named, else the first text-similarity model, else the first model) first,
 * then the others in their loaded order. A recommendation model also takes texts (its item content
 * encoder), so the default is chosen by task, not by input kind.
 */
export function withDefaultFirst<M extends LoadedModel>(
  loaded: readonly M[],
  defaultModel: string | undefined,
): { ordered: M[]; defaultName: string } {
  const firstTextModel = loaded.find((model) => model.manifest.task === 'text-similarity');
  const defaultName = defaultModel ?? (firstTextModel ?? loaded[0]).manifest.name;
  return {
    defaultName,
    ordered: [
      ...loaded.filter((m) => m.manifest.name === defaultName),
      ...loaded.filter((m) => m.manifest.name !== defaultName),
    ],
  };
}
