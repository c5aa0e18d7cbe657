import { createOnnxImageEmbedder, type OrtModule } from '../../shared/image/onnx-image-embedder.ts';
import type { ImageInput } from '../../shared/manifest.ts';
import { ApiError } from '../errors.ts';
import type { Embedder } from '../ports.ts';

export interface ImageModelEmbedder extends Embedder {
  embedImages(images: readonly Float32Array[]): Promise<Float32Array[]>;
  /** Frees the ONNX session. */
  release(): Promise<void>;
}

/**
 * The Embedder port for an image model, for any runtime's adapter (Node or Workers pass their own
 * onnxruntime-web build): `embedImages` runs the ONNX model; `embed` (texts) answers 400, so every text
 * route refuses an image model the same way.
 */
export async function createImageModelEmbedder(options: {
  ort: OrtModule;
  model: Uint8Array;
  name: string;
  input: ImageInput;
  dim: number;
}): Promise<ImageModelEmbedder> {
  const { input, name, dim } = options;
  const images = await createOnnxImageEmbedder({
    ort: options.ort,
    model: options.model,
    io: input.onnx,
    height: input.height,
    width: input.width,
    dim,
  });
  return {
    dim,
    embed: async () => {
      throw new ApiError(400, 'invalid_request', `model "${name}" takes images, not texts`);
    },
    embedImages: (prepared) => images.embed(prepared),
    release: () => images.release(),
  };
}
