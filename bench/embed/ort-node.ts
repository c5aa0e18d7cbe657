import * as ort from 'onnxruntime-node';
import type { FeatureBatch } from '../../shared/featurizer/text.ts';
import type { OnnxTextEmbedderConfig } from '../../shared/onnx/text-embedder.ts';

/** The native comparison: onnxruntime-node's CPU provider running the same ONNX file on the same input. */
export interface NativeTextModel {
  embedBatch(batch: FeatureBatch): Promise<Float32Array>;
  release(): Promise<void>;
}

/** `threads` undefined leaves onnxruntime's own default (one per core). */
export async function createNativeTextModel(
  model: Uint8Array,
  config: OnnxTextEmbedderConfig,
  threads?: number,
): Promise<NativeTextModel> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 }),
  });
  const { io, dim } = config;
  return {
    async embedBatch(batch) {
      const shape = [batch.batch, batch.length];
      const outputs = await session.run({
        [io.ids]: new ort.Tensor('int32', batch.ids, shape),
        [io.weights]: new ort.Tensor('float32', batch.weights, shape),
      });
      const output = outputs[io.output];
      if (output.dims[0] !== batch.batch || output.dims[1] !== dim) {
        throw new Error(
          `onnxruntime-node output is [${output.dims.join(', ')}], expected [${batch.batch}, ${dim}]`,
        );
      }
      return output.data as Float32Array;
    },
    release: () => session.release(),
  };
}
