import type * as Ort from 'onnxruntime-web';

/** The parts of onnxruntime-web the embedder uses; the caller passes the module in (Node or Workers build). */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

export interface OnnxImageEmbedderOptions {
  ort: OrtModule;
  /** A serialised ONNX model with one float32 input [batch, height, width, 1] and one output [batch, dim]. */
  model: Uint8Array;
  io: { input: string; output: string };
  height: number;
  width: number;
  dim: number;
}

export interface ImageEmbedder {
  readonly dim: number;
  /** One embedding per model input (normalised pixels, height x width each; see model-input.ts). */
  embed(inputs: readonly Float32Array[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/** Images per ONNX run: bounds the memory of one call (256 x 28 x 28 x 32 activations is ~26 MB). */
export const IMAGES_PER_RUN = 256;

/**
 * Normalised images -> the CNN's ONNX model on onnxruntime-web: the embedding path the edge server and
 * the index builder share, so index vectors and query vectors come from the same code.
 */
export async function createOnnxImageEmbedder(options: OnnxImageEmbedderOptions): Promise<ImageEmbedder> {
  const { ort, io, height, width, dim } = options;
  const session = await ort.InferenceSession.create(options.model, { executionProviders: ['wasm'] });
  for (const [kind, names, wanted] of [
    ['input', session.inputNames, io.input],
    ['output', session.outputNames, io.output],
  ] as const) {
    if (!names.includes(wanted)) {
      throw new Error(`ONNX model has no ${kind} ${wanted} (it has ${names.join(', ')})`);
    }
  }
  const size = height * width;

  async function run(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const batch = new Float32Array(inputs.length * size);
    inputs.forEach((input, i) => {
      if (input.length !== size) {
        throw new RangeError(
          `image input ${i} has ${input.length} values, the model takes ${height}x${width}`,
        );
      }
      batch.set(input, i * size);
    });
    const tensor = new ort.Tensor('float32', batch, [inputs.length, height, width, 1]);
    try {
      const outputs = await session.run({ [io.input]: tensor });
      try {
        const output = outputs[io.output];
        const expected = `float32 [${inputs.length}, ${dim}]`;
        const actual = `${output.type} [${output.dims.join(', ')}]`;
        if (actual !== expected)
          throw new Error(`model output ${io.output} is ${actual}, expected ${expected}`);
        const data = output.data as Float32Array;
        return inputs.map((_, i) => data.slice(i * dim, (i + 1) * dim));
      } finally {
        for (const t of Object.values(outputs)) t.dispose();
      }
    } finally {
      tensor.dispose();
    }
  }

  return {
    dim,
    async embed(inputs) {
      const out: Float32Array[] = [];
      for (let start = 0; start < inputs.length; start += IMAGES_PER_RUN) {
        out.push(...(await run(inputs.slice(start, start + IMAGES_PER_RUN))));
      }
      return out;
    },
    release: () => session.release(),
  };
}
