import type * as Ort from 'onnxruntime-web';
import { z } from 'zod';
import type { FeatureBatch, TextFeaturizer } from '../featurizer/text.ts';
import { TextInputSchema } from '../manifest.ts';
import { featureSubBatches } from './sub-batches.ts';

/**
 * The parts of the onnxruntime-web module the embedder uses. The caller passes the module in (Node:
 * `import * as ort from 'onnxruntime-web'`, Workers: 'onnxruntime-web/wasm'), so shared code never
 * picks a build itself; both builds share these types.
 */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

export interface TextEmbedder {
  dim: number;
  /** One embedding per text, in the order given. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** One run over an already padded batch; row-major [batch * dim]. */
  embedBatch(batch: FeatureBatch): Promise<Float32Array>;
  /**
   * The model's output before L2 normalisation for a padded batch (row-major [batch * dim]), for exact
   * explanations (edge/routes/similarity-explain.ts); present when the graph has that output.
   */
  projectBatch?(batch: FeatureBatch): Promise<Float32Array>;
  /** Frees the ONNX session's WASM memory; the embedder is unusable afterwards. */
  release(): Promise<void>;
}

const EmbedderConfigSchema = z
  .object({
    /** Graph input and output names, as the manifest records them. */
    io: TextInputSchema.shape.onnx,
    dim: z.number().int().positive(),
  })
  .strict();
export type OnnxTextEmbedderConfig = z.infer<typeof EmbedderConfigSchema>;

export interface OnnxTextEmbedderOptions extends OnnxTextEmbedderConfig {
  ort: OrtModule;
  /**
   * A serialised ONNX model with inputs ids int32 [batch, length], weights float32 [batch, length], or
   * [batch, tokens, slots] each when the featurizer's layout is 'tokens' (a word-order encoder).
   */
  model: Uint8Array;
  featurizer: TextFeaturizer;
}

/**
 * Text -> featurizer -> ONNX model on onnxruntime-web's WASM backend: the one embedding path the edge
 * server and the index builder share. `embed` splits a call into sub-batches of similar feature counts
 * (see sub-batches.ts) so that one long text does not pad every other text to its length.
 */
export async function createOnnxTextEmbedder(options: OnnxTextEmbedderOptions): Promise<TextEmbedder> {
  const { ort, model, featurizer } = options;
  const { io, dim } = EmbedderConfigSchema.parse({ io: options.io, dim: options.dim });
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  assertNames('input', session.inputNames, [io.ids, io.weights]);
  assertNames('output', session.outputNames, [io.output]);

  /** The output trainer/export/onnx-text-encoder.ts adds before normalisation (TEXT_ENCODER_UNNORMALIZED_OUTPUT). */
  const unnormalized = 'unnormalized';

  async function embedBatch(batch: FeatureBatch, output = io.output): Promise<Float32Array> {
    const cells = batch.batch * batch.length;
    if (batch.ids.length !== cells || batch.weights.length !== cells) {
      throw new Error(
        `feature batch of ${batch.batch}x${batch.length} has ${batch.ids.length} ids and ${batch.weights.length} weights`,
      );
    }
    const shape =
      batch.tokens === undefined
        ? [batch.batch, batch.length]
        : [batch.batch, batch.tokens, batch.length / batch.tokens];
    const ids = new ort.Tensor('int32', batch.ids, shape);
    const weights = new ort.Tensor('float32', batch.weights, shape);
    try {
      const outputs = await session.run({ [io.ids]: ids, [io.weights]: weights }, [output]);
      try {
        const result = outputs[output];
        const expected = `float32 [${batch.batch}, ${dim}]`;
        const actual = `${result.type} [${result.dims.join(', ')}]`;
        if (actual !== expected) {
          throw new Error(`model output ${output} is ${actual}, expected ${expected}`);
        }
        // A copy: the tensor's memory belongs to onnxruntime once disposed.
        return (result.data as Float32Array).slice();
      } finally {
        for (const tensor of Object.values(outputs)) tensor.dispose();
      }
    } finally {
      ids.dispose();
      weights.dispose();
    }
  }

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const embeddings = new Array<Float32Array>(texts.length);
    for (const { rows: group, batch } of featureSubBatches(featurizer, texts)) {
      const flat = await embedBatch(batch);
      group.forEach((index, row) => {
        embeddings[index] = flat.slice(row * dim, (row + 1) * dim);
      });
    }
    return embeddings;
  }

  return {
    dim,
    embed,
    embedBatch: (batch) => embedBatch(batch),
    ...(session.outputNames.includes(unnormalized)
      ? { projectBatch: (batch: FeatureBatch) => embedBatch(batch, unnormalized) }
      : {}),
    release: () => session.release(),
  };
}

function assertNames(kind: string, actual: readonly string[], wanted: readonly string[]): void {
  const missing = wanted.filter((name) => !actual.includes(name));
  if (missing.length > 0) {
    throw new Error(`ONNX model has no ${kind} ${missing.join(', ')} (it has ${actual.join(', ')})`);
  }
}
