import { NORM_EPSILON, POOLING_EPSILON, type TextEncoderWeights } from '../encoder/text-encoder.ts';
import {
  attribute,
  DataType,
  encodeModel,
  makeInitializer,
  makeNode,
  makeTensorValueInfo,
  type NodeProto,
  type TensorProto,
} from './onnx-graph.ts';
import { wordOrderMatrices, wordOrderPooling } from './onnx-word-order.ts';
import { quantizeSymmetricInt8 } from './quantize.ts';

/** Graph input and output names; the manifest's `input.onnx` records them for consumers. */
export const TEXT_ENCODER_IO = { ids: 'ids', weights: 'weights', output: 'embedding' } as const;

/**
 * A second output, the embedding before L2 normalisation (pooled @ kernel + bias). Everything up to it
 * is linear in the feature rows, which is what lets the edge explain a score exactly: run one-feature
 * batches through the served file and the outputs are that file's own projected rows (plus the bias).
 */
export const TEXT_ENCODER_UNNORMALIZED_OUTPUT = 'unnormalized';

export type OnnxPrecision = 'fp32' | 'int8';

export interface TextEncoderExportOptions {
  precision: OnnxPrecision;
  producerVersion?: string;
  docString?: string;
}

/**
 * Writes the text encoder as an ONNX model (IR 8, opset 17) computing exactly what `embedBatch` in
 * trainer/encoder/text-encoder.ts computes:
 *   pooled    = sum_l weights[b,l] * table[ids[b,l]] / max(sum_l weights[b,l], POOLING_EPSILON)
 *   out       = pooled @ kernel + bias                    (output `unnormalized`)
 *   embedding = out / max(||out||_2, NORM_EPSILON)      (output `embedding`)
 * with inputs ids int32 [batch, length], weights float32 [batch, length] and outputs float32
 * [batch, outputDim]; batch and length stay dynamic.
 *
 * int8 stores the table with one symmetric scale per row and the kernel with one per output column
 * (see quantize.ts). The table is gathered as int8 and only the gathered rows are converted; their row
 * scales fold into the pooling weights, so the full table is never dequantised. The bias stays float32.
 *
 * With a word-order layer the inputs are [batch, tokens, slots] (the featurizer's 'tokens' layout), the
 * pooling is onnx-word-order.ts's, its two matrices are stored like the kernel, and there is no
 * `unnormalized` output: the model is no longer linear in the rows, so it cannot be explained that way.
 */
export function exportTextEncoderOnnx(
  weights: TextEncoderWeights,
  options: TextEncoderExportOptions,
): Uint8Array {
  assertShapes(weights);
  const { buckets, embeddingDim, outputDim, wordOrder } = weights;
  const mean: Mean = wordOrder
    ? (rows, rowWeights) => {
        const matrices = { mix: 'word_order_mix', out: 'word_order_out' };
        const constants = { epsilon: 'pooling_epsilon', axis1: 'axis_1', axis2: 'axis_2' };
        const inputs = { rows, rowWeights, weights: TEXT_ENCODER_IO.weights };
        return wordOrderPooling(wordOrder, { ...inputs, ...matrices, ...constants });
      }
    : (rows, rowWeights) => ({ initializers: [], nodes: weightedMean(rows, rowWeights) });
  const int8 = options.precision === 'int8';
  const pooling = int8 ? int8Pooling(weights, mean) : fp32Pooling(weights, mean);
  const matrices: [string, Float32Array, number, number][] = [
    ['kernel', weights.kernel, embeddingDim, outputDim],
    ...(wordOrder ? wordOrderMatrices(wordOrder, embeddingDim) : []),
  ];
  const stored = matrices.map(([name, values, rows, cols]) =>
    int8 ? int8Matrix(name, values, rows, cols) : fp32Matrix(name, values, rows, cols),
  );
  const tail = projectAndNormalize();
  const inputDims = wordOrder ? ['batch', 'tokens', 'slots'] : ['batch', 'length'];
  return encodeModel({
    name: 'text_encoder',
    inputs: [
      makeTensorValueInfo(TEXT_ENCODER_IO.ids, DataType.int32, inputDims),
      makeTensorValueInfo(TEXT_ENCODER_IO.weights, DataType.float, inputDims),
    ],
    outputs: [
      makeTensorValueInfo(TEXT_ENCODER_IO.output, DataType.float, ['batch', outputDim]),
      ...(wordOrder
        ? []
        : [makeTensorValueInfo(TEXT_ENCODER_UNNORMALIZED_OUTPUT, DataType.float, ['batch', outputDim])]),
    ],
    initializers: [
      ...pooling.initializers,
      ...stored.flatMap((m) => m.initializers),
      makeInitializer('bias', weights.bias, [outputDim]),
      makeInitializer('axis_1', BigInt64Array.of(1n), [1]),
      makeInitializer('axis_2', BigInt64Array.of(2n), [1]),
      makeInitializer('pooling_epsilon', Float32Array.of(POOLING_EPSILON), []),
      makeInitializer('norm_epsilon', Float32Array.of(NORM_EPSILON), []),
    ],
    // The matrices first: the word-order pooling reads them (the checker wants topological order).
    nodes: [...stored.flatMap((m) => m.nodes), ...pooling.nodes, ...tail],
    producerVersion: options.producerVersion,
    docString: options.docString,
    metadata: {
      precision: options.precision,
      buckets: String(buckets),
      embedding_dim: String(embeddingDim),
      output_dim: String(outputDim),
      ...(wordOrder ? { word_order: `conv width ${wordOrder.width} rank ${wordOrder.rank}` } : {}),
    },
  });
}

interface Subgraph {
  initializers: TensorProto[];
  nodes: NodeProto[];
}

/** Nodes from the gathered `rows` and their weights (carrying int8 row scales) to `pooled`. */
type Mean = (rows: string, rowWeights: string) => Subgraph;

/** Weighted mean of the gathered table rows -> `pooled` [batch, embeddingDim]. */
function fp32Pooling(weights: TextEncoderWeights, mean: Mean): Subgraph {
  const pooled = mean('rows', TEXT_ENCODER_IO.weights);
  return {
    initializers: [
      makeInitializer('table', weights.table, [weights.buckets, weights.embeddingDim]),
      ...pooled.initializers,
    ],
    nodes: [
      makeNode('Gather', ['table', TEXT_ENCODER_IO.ids], ['rows'], [attribute.int('axis', 0)]),
      ...pooled.nodes,
    ],
  };
}

/** The same mean over int8 rows: weights * row_scale carries each row's dequantisation. */
function int8Pooling(weights: TextEncoderWeights, mean: Mean): Subgraph {
  const { buckets, embeddingDim } = weights;
  const table = quantizeSymmetricInt8(weights.table, buckets, embeddingDim, 0);
  const pooled = mean('rows', 'scaled_weights');
  return {
    initializers: [
      makeInitializer('table_int8', table.values, [buckets, embeddingDim]),
      makeInitializer('table_row_scale', table.scales, [buckets]),
      ...pooled.initializers,
    ],
    nodes: [
      makeNode('Gather', ['table_int8', TEXT_ENCODER_IO.ids], ['rows_int8'], [attribute.int('axis', 0)]),
      makeNode('Cast', ['rows_int8'], ['rows'], [attribute.int('to', DataType.float)]),
      makeNode('Gather', ['table_row_scale', TEXT_ENCODER_IO.ids], ['row_scale'], [attribute.int('axis', 0)]),
      makeNode('Mul', [TEXT_ENCODER_IO.weights, 'row_scale'], ['scaled_weights']),
      ...pooled.nodes,
    ],
  };
}

/**
 * sum_l rowWeights * rows / max(sum_l weights, POOLING_EPSILON). The denominator always uses the raw
 * feature weights, so the int8 path divides by the same total as fp32.
 */
function weightedMean(rows: string, rowWeights: string): NodeProto[] {
  return [
    makeNode('Unsqueeze', [rowWeights, 'axis_2'], ['row_weights_3d']),
    makeNode('Mul', [rows, 'row_weights_3d'], ['weighted_rows']),
    makeNode('ReduceSum', ['weighted_rows', 'axis_1'], ['summed'], [attribute.int('keepdims', 0)]),
    makeNode(
      'ReduceSum',
      [TEXT_ENCODER_IO.weights, 'axis_1'],
      ['total_weight'],
      [attribute.int('keepdims', 1)],
    ),
    makeNode('Max', ['total_weight', 'pooling_epsilon'], ['safe_total_weight']),
    makeNode('Div', ['summed', 'safe_total_weight'], ['pooled']),
  ];
}

/** A [rows, cols] matrix (the kernel, a word-order matrix) named `name`, as float32. */
function fp32Matrix(name: string, values: Float32Array, rows: number, cols: number): Subgraph {
  return { initializers: [makeInitializer(name, values, [rows, cols])], nodes: [] };
}

/** The same matrix dequantised from int8 with one scale per output column. */
function int8Matrix(name: string, values: Float32Array, rows: number, cols: number): Subgraph {
  const quantized = quantizeSymmetricInt8(values, rows, cols, 1);
  return {
    initializers: [
      makeInitializer(`${name}_int8`, quantized.values, [rows, cols]),
      makeInitializer(`${name}_scale`, quantized.scales, [cols]),
      makeInitializer(`${name}_zero_point`, new Int8Array(cols), [cols]),
    ],
    nodes: [
      makeNode(
        'DequantizeLinear',
        [`${name}_int8`, `${name}_scale`, `${name}_zero_point`],
        [name],
        [attribute.int('axis', 1)],
      ),
    ],
  };
}

/** pooled @ kernel + bias, then L2 normalisation with the NORM_EPSILON floor. */
function projectAndNormalize(): NodeProto[] {
  return [
    makeNode('MatMul', ['pooled', 'kernel'], ['projected']),
    makeNode('Add', ['projected', 'bias'], [TEXT_ENCODER_UNNORMALIZED_OUTPUT]),
    // In opset 17 ReduceSumSquare still takes axes as an attribute (ReduceSum takes them as an input).
    makeNode(
      'ReduceSumSquare',
      [TEXT_ENCODER_UNNORMALIZED_OUTPUT],
      ['squared_norm'],
      [attribute.ints('axes', [1])],
    ),
    makeNode('Sqrt', ['squared_norm'], ['norm']),
    makeNode('Max', ['norm', 'norm_epsilon'], ['safe_norm']),
    makeNode('Div', [TEXT_ENCODER_UNNORMALIZED_OUTPUT, 'safe_norm'], [TEXT_ENCODER_IO.output]),
  ];
}

function assertShapes(weights: TextEncoderWeights): void {
  const { buckets, embeddingDim, outputDim } = weights;
  const expect = (name: string, actual: number, wanted: number) => {
    if (actual !== wanted) throw new Error(`text encoder ${name} has ${actual} values, expected ${wanted}`);
  };
  expect('table', weights.table.length, buckets * embeddingDim);
  expect('kernel', weights.kernel.length, embeddingDim * outputDim);
  expect('bias', weights.bias.length, outputDim);
  const order = weights.wordOrder;
  if (order) {
    expect('word-order mix', order.mix.length, order.width * embeddingDim * order.rank);
    expect('word-order mixBias', order.mixBias.length, order.rank);
    expect('word-order out', order.out.length, order.rank * embeddingDim);
  }
}
