import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { PARITY_TEXTS, trainedLikeWeights } from '../../test/fixtures/text-encoder-weights.ts';
import { initBackend } from '../backend/index.ts';
import { embedBatch, initTextEncoder, type TextEncoderWeights } from '../encoder/text-encoder.ts';
import { checkOnnxModel } from './onnx-check.ts';
import { DataType, decodeModel, IR_VERSION, OPSET_VERSION, type ValueInfoProto } from './onnx-graph.ts';
import {
  exportTextEncoderOnnx,
  type OnnxPrecision,
  TEXT_ENCODER_IO,
  TEXT_ENCODER_UNNORMALIZED_OUTPUT,
} from './onnx-text-encoder.ts';

const PRECISIONS: OnnxPrecision[] = ['fp32', 'int8'];

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await initBackend('wasm');
});

describe('exportTextEncoderOnnx', () => {
  const shapes = [
    { buckets: 64, embeddingDim: 8, outputDim: 4 },
    { buckets: 1000, embeddingDim: 32, outputDim: 48 },
  ];

  it.each(shapes.flatMap((shape) => PRECISIONS.map((precision) => ({ ...shape, precision }))))(
    'writes a model the ONNX checker accepts ($precision, $buckets x $embeddingDim -> $outputDim)',
    async (c) => {
      const weights = trainedLikeWeights(c.buckets, c.embeddingDim, c.outputDim, 7);
      await checkOnnxModel(exportTextEncoderOnnx(weights, { precision: c.precision }));
    },
  );

  it('declares IR 8, opset 17, dynamic batch and length, and the precision in metadata', () => {
    const weights = trainedLikeWeights(64, 8, 4, 1);
    const model = decodeModel(
      exportTextEncoderOnnx(weights, {
        precision: 'int8',
        producerVersion: '1.2.3',
        docString: 'test model',
      }),
    );
    expect(Number(model.irVersion)).toBe(IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', OPSET_VERSION]]);
    expect(model.producerVersion).toBe('1.2.3');
    expect(model.docString).toBe('test model');
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(metadata).toEqual({ precision: 'int8', buckets: '64', embedding_dim: '8', output_dim: '4' });
    const graph = model.graph!;
    const dims = (v: ValueInfoProto) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input!.map((v) => [v.name, dims(v)])).toEqual([
      [TEXT_ENCODER_IO.ids, ['batch', 'length']],
      [TEXT_ENCODER_IO.weights, ['batch', 'length']],
    ]);
    expect(graph.output!.map((v) => [v.name, dims(v)])).toEqual([
      [TEXT_ENCODER_IO.output, ['batch', 4]],
      [TEXT_ENCODER_UNNORMALIZED_OUTPUT, ['batch', 4]],
    ]);
  });

  it('stores the int8 table and kernel as int8 with per-row and per-column scales', () => {
    const model = decodeModel(exportTextEncoderOnnx(trainedLikeWeights(64, 8, 4, 1), { precision: 'int8' }));
    const initializers = Object.fromEntries(
      model.graph!.initializer!.map((t) => [t.name, { type: t.dataType, dims: t.dims!.map(Number) }]),
    );
    expect(initializers.table_int8).toEqual({ type: DataType.int8, dims: [64, 8] });
    expect(initializers.table_row_scale).toEqual({ type: DataType.float, dims: [64] });
    expect(initializers.kernel_int8).toEqual({ type: DataType.int8, dims: [8, 4] });
    expect(initializers.kernel_scale).toEqual({ type: DataType.float, dims: [4] });
    expect(initializers.bias).toEqual({ type: DataType.float, dims: [4] });
    expect(initializers.table).toBeUndefined();
  });

  it('makes the int8 file at most 0.30x the fp32 file for a 2^14 x 64 table, both valid', async () => {
    const weights = initTextEncoder(1 << 14, { embeddingDim: 64, outputDim: 128 }, 3);
    const fp32 = exportTextEncoderOnnx(weights, { precision: 'fp32' });
    const int8 = exportTextEncoderOnnx(weights, { precision: 'int8' });
    expect(int8.byteLength / fp32.byteLength).toBeLessThanOrEqual(0.3);
    await checkOnnxModel(fp32);
    await checkOnnxModel(int8);
  });

  it('rejects weights whose arrays do not match their declared shape', () => {
    const weights: TextEncoderWeights = { ...trainedLikeWeights(64, 8, 4, 1), bias: new Float32Array(3) };
    expect(() => exportTextEncoderOnnx(weights, { precision: 'fp32' })).toThrow(
      /bias has 3 values, expected 4/,
    );
  });
});

describe('parity of onnxruntime-web with the TensorFlow.js forward', () => {
  const featurizer = createTextFeaturizer({ buckets: 4096 });
  const weights = trainedLikeWeights(4096, 32, 64, 11);
  const batch = featurizer.featurizeBatch(PARITY_TEXTS);

  async function onnxEmbeddings(precision: OnnxPrecision): Promise<Float32Array> {
    const embedder = await createOnnxTextEmbedder({
      ort,
      model: exportTextEncoderOnnx(weights, { precision }),
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: weights.outputDim,
    });
    try {
      return await embedder.embedBatch(batch);
    } finally {
      await embedder.release();
    }
  }

  function rowCosines(a: Float32Array, b: Float32Array): number[] {
    const dim = weights.outputDim;
    return PARITY_TEXTS.map((_, row) =>
      cosineSimilarity(a.subarray(row * dim, (row + 1) * dim), b.subarray(row * dim, (row + 1) * dim)),
    );
  }

  it('matches fp32 to cosine >= 0.9999 and 1e-5 per component', async () => {
    const reference = embedBatch(weights, batch);
    const actual = await onnxEmbeddings('fp32');
    expect(Math.min(...rowCosines(reference, actual))).toBeGreaterThanOrEqual(0.9999);
    const maxAbsDiff = Math.max(...reference.map((v, i) => Math.abs(v - actual[i])));
    expect(maxAbsDiff).toBeLessThan(1e-5);
  });

  it('matches int8 to cosine >= 0.995, while differing from fp32 (the quantisation is in effect)', async () => {
    const reference = embedBatch(weights, batch);
    const actual = await onnxEmbeddings('int8');
    const cosines = rowCosines(reference, actual);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.995);
    expect(Math.min(...cosines)).toBeLessThan(1 - 1e-7);
  });
});
