import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnnxImageEmbedder } from '../../../shared/image/onnx-image-embedder.ts';
import { mulberry32 } from '../../../shared/random.ts';
import { initBackend } from '../../backend/index.ts';
import { checkOnnxModel } from '../../export/onnx-check.ts';
import {
  DataType,
  decodeModel,
  IR_VERSION,
  OPSET_VERSION,
  type ValueInfoProto,
} from '../../export/onnx-graph.ts';
import { type CnnShape, CnnShapeSchema, type CnnWeights, embedImages, flatSize, initCnn } from './cnn.ts';
import { CNN_ENCODER_IO, exportCnnOnnx } from './onnx-cnn.ts';

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await initBackend('wasm');
});

/**
 * Weights that look trained: batch-norm statistics and affine terms away from their initial values
 * (mean 0, variance 1, gamma 1, beta 0), which would otherwise hide a wrong fold, and a non-zero dense bias.
 */
function trainedLikeCnn(shape: Partial<CnnShape>, seed: number): CnnWeights {
  const weights = initCnn(CnnShapeSchema.parse(shape), seed);
  const random = mulberry32(seed + 1);
  for (const [name, values] of Object.entries(weights.params)) {
    if (!name.startsWith('bn') && name !== 'dense.bias') continue;
    for (let i = 0; i < values.length; i++) {
      values[i] = name.endsWith('.variance') || name.endsWith('.gamma') ? 0.3 + random() : random() - 0.5;
    }
  }
  return weights;
}

async function onnxEmbeddings(weights: CnnWeights, precision: 'fp32' | 'int8', inputs: Float32Array) {
  const { height, width, embeddingDim } = weights.shape;
  const embedder = await createOnnxImageEmbedder({
    ort,
    model: exportCnnOnnx(weights, { precision }),
    io: CNN_ENCODER_IO,
    height,
    width,
    dim: embeddingDim,
  });
  try {
    const size = height * width;
    const rows = await embedder.embed(
      Array.from({ length: inputs.length / size }, (_, i) => inputs.subarray(i * size, (i + 1) * size)),
    );
    return Float32Array.from(rows.flatMap((row) => Array.from(row)));
  } finally {
    await embedder.release();
  }
}

function rowCosines(a: Float32Array, b: Float32Array, dim: number): number[] {
  return Array.from({ length: a.length / dim }, (_, row) => {
    let dot = 0;
    for (let k = row * dim; k < (row + 1) * dim; k++) dot += a[k] * b[k];
    return dot;
  });
}

/** Small variants of every architectural option: batch norm or biases, kernel sizes, depth, dense or not. */
const SHAPES: Partial<CnnShape>[] = [
  { convWidths: [8, 16], embeddingDim: 32 },
  { batchNorm: false, convWidths: [8, 16, 8], embeddingDim: 24 },
  { height: 20, width: 24, kernelSize: 5, convWidths: [6, 10] },
  { convWidths: [8, 4], dense: false, embeddingDim: 196 },
];

describe('exportCnnOnnx', () => {
  // One Python start per model: fp32 and int8 alternate over the variants to cover both in three runs.
  it.each([
    { shape: SHAPES[0], precision: 'int8' },
    { shape: SHAPES[1], precision: 'fp32' },
    { shape: SHAPES[3], precision: 'int8' },
  ] as const)('writes models the ONNX checker accepts ($precision, %o)', async ({ shape, precision }) => {
    await checkOnnxModel(exportCnnOnnx(trainedLikeCnn(shape, 3), { precision }));
  });

  it('declares IR 8, opset 17, NHWC input with a dynamic batch, and the architecture in metadata', () => {
    const model = decodeModel(exportCnnOnnx(trainedLikeCnn({}, 1), { precision: 'int8', docString: 'cnn' }));
    expect(Number(model.irVersion)).toBe(IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', OPSET_VERSION]]);
    const dims = (v: ValueInfoProto) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(model.graph!.input!.map((v) => [v.name, dims(v)])).toEqual([
      [CNN_ENCODER_IO.input, ['batch', 28, 28, 1]],
    ]);
    expect(model.graph!.output!.map((v) => [v.name, dims(v)])).toEqual([
      [CNN_ENCODER_IO.output, ['batch', 128]],
    ]);
    expect(Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))).toEqual({
      precision: 'int8',
      height: '28',
      width: '28',
      conv_widths: '32,64',
      embedding_dim: '128',
    });
  });

  it('stores int8 kernels as int8 OIHW / [in, out] with one scale per output channel', () => {
    const weights = trainedLikeCnn({}, 1);
    const model = decodeModel(exportCnnOnnx(weights, { precision: 'int8' }));
    const tensors = Object.fromEntries(
      model.graph!.initializer!.map((t) => [t.name, { type: t.dataType, dims: t.dims!.map(Number) }]),
    );
    expect(tensors.conv1_kernel_int8).toEqual({ type: DataType.int8, dims: [64, 32, 3, 3] });
    expect(tensors.conv1_kernel_scale).toEqual({ type: DataType.float, dims: [64] });
    expect(tensors.dense_kernel_int8).toEqual({ type: DataType.int8, dims: [flatSize(weights.shape), 128] });
    expect(tensors.dense_kernel_scale).toEqual({ type: DataType.float, dims: [128] });
    expect(tensors.conv1_bias).toEqual({ type: DataType.float, dims: [64] });
    const int8 = exportCnnOnnx(weights, { precision: 'int8' }).byteLength;
    const fp32 = exportCnnOnnx(weights, { precision: 'fp32' }).byteLength;
    expect(int8 / fp32).toBeLessThan(0.3);
  });

  it.each(SHAPES)(
    'matches the TF.js forward through onnxruntime-web: fp32 to 1e-5, int8 to cosine 0.999 (%o)',
    async (shape) => {
      const weights = trainedLikeCnn(shape, 7);
      const { height, width, embeddingDim } = weights.shape;
      const random = mulberry32(11);
      const inputs = Float32Array.from({ length: 9 * height * width }, () => random() * 3 - 1);
      const reference = embedImages(weights, inputs);
      const fp32 = await onnxEmbeddings(weights, 'fp32', inputs);
      expect(reference.reduce((max, v, i) => Math.max(max, Math.abs(v - fp32[i])), 0)).toBeLessThan(1e-5);
      const int8 = rowCosines(reference, await onnxEmbeddings(weights, 'int8', inputs), embeddingDim);
      expect(Math.min(...int8)).toBeGreaterThan(0.999);
      // Not identical: the quantisation is in effect.
      expect(Math.min(...int8)).toBeLessThan(1 - 1e-7);
    },
  );
});
