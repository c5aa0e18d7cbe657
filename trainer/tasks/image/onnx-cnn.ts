import {
  attribute,
  DataType,
  encodeModel,
  makeInitializer,
  makeNode,
  makeTensorValueInfo,
  type NodeProto,
  type TensorProto,
} from '../../export/onnx-graph.ts';
import type { OnnxPrecision } from '../../export/onnx-text-encoder.ts';
import { quantizeSymmetricInt8 } from '../../export/quantize.ts';
import { BATCH_NORM_EPSILON, type CnnWeights, checkCnnWeights, flatSize, NORM_EPSILON } from './cnn.ts';

/** Graph input and output names; the manifest's `input.onnx` records them for consumers. */
export const CNN_ENCODER_IO = { input: 'image', output: 'embedding' } as const;

export interface CnnExportOptions {
  precision: OnnxPrecision;
  producerVersion?: string;
  docString?: string;
}

/**
 * Writes the CNN as an ONNX model (IR 8, opset 17) computing what `cnnForward` computes at inference,
 * with input `image` float32 [batch, height, width, 1] (NHWC, normalised as the manifest says) and output
 * `embedding` float32 [batch, embeddingDim]; the batch stays dynamic.
 *
 * Layout care: TF.js works in NHWC with HWIO kernels, ONNX's Conv and MaxPool in NCHW with OIHW kernels.
 * The graph transposes the input to NCHW once, runs every block there, and transposes back to NHWC
 * before Flatten, so the flattened features come in TF.js's order and the dense kernel (when the model has
 * one) is used as is.
 * Batch normalisation (inference mode) is folded into each convolution: w' = w * s, b' = beta - mean * s
 * with s = gamma / sqrt(variance + eps). 'same' padding of an odd kernel at stride 1 is symmetric
 * ((k - 1) / 2 each side); the 2x2 max pools have no padding (floor), as TF.js's 'valid'.
 *
 * int8 stores each convolution kernel with one symmetric scale per output channel (DequantizeLinear
 * axis 0 of OIHW) and the dense kernel with one per output column (axis 1); biases stay float32.
 */
export function exportCnnOnnx(weights: CnnWeights, options: CnnExportOptions): Uint8Array {
  checkCnnWeights(weights);
  const { shape } = weights;
  const initializers: TensorProto[] = [makeInitializer('norm_epsilon', Float32Array.of(NORM_EPSILON), [])];
  const nodes: NodeProto[] = [
    makeNode('Transpose', [CNN_ENCODER_IO.input], ['block0_input'], [attribute.ints('perm', [0, 3, 1, 2])]),
  ];
  const pad = (shape.kernelSize - 1) / 2;
  shape.convWidths.forEach((width, i) => {
    const { kernel, bias } = foldedConv(weights, i);
    const kernelName = addWeight(
      initializers,
      nodes,
      `conv${i}_kernel`,
      kernel,
      [width, kernel.length / width],
      0,
      options.precision,
      [width, shape.convWidths[i - 1] ?? 1, shape.kernelSize, shape.kernelSize],
    );
    initializers.push(makeInitializer(`conv${i}_bias`, bias, [width]));
    nodes.push(
      makeNode(
        'Conv',
        [`block${i}_input`, kernelName, `conv${i}_bias`],
        [`conv${i}`],
        [
          attribute.ints('kernel_shape', [shape.kernelSize, shape.kernelSize]),
          attribute.ints('pads', [pad, pad, pad, pad]),
          attribute.ints('strides', [1, 1]),
        ],
      ),
      makeNode('Relu', [`conv${i}`], [`relu${i}`]),
      makeNode(
        'MaxPool',
        [`relu${i}`],
        [`block${i + 1}_input`],
        [attribute.ints('kernel_shape', [2, 2]), attribute.ints('strides', [2, 2])],
      ),
    );
  });
  const blocks = shape.convWidths.length;
  nodes.push(
    makeNode(
      'Transpose',
      [`block${blocks}_input`],
      ['features_nhwc'],
      [attribute.ints('perm', [0, 2, 3, 1])],
    ),
    makeNode('Flatten', ['features_nhwc'], ['features'], [attribute.int('axis', 1)]),
  );
  let unnormalized = 'features';
  if (shape.dense) {
    const flat = flatSize(shape);
    const denseName = addWeight(
      initializers,
      nodes,
      'dense_kernel',
      weights.params['dense.kernel'],
      [flat, shape.embeddingDim],
      1,
      options.precision,
      [flat, shape.embeddingDim],
    );
    initializers.push(makeInitializer('dense_bias', weights.params['dense.bias'], [shape.embeddingDim]));
    nodes.push(
      makeNode('MatMul', ['features', denseName], ['projected']),
      makeNode('Add', ['projected', 'dense_bias'], ['dense']),
    );
    unnormalized = 'dense';
  }
  nodes.push(
    // In opset 17 ReduceSumSquare still takes axes as an attribute (ReduceSum takes them as an input).
    makeNode('ReduceSumSquare', [unnormalized], ['squared_norm'], [attribute.ints('axes', [1])]),
    makeNode('Sqrt', ['squared_norm'], ['norm']),
    makeNode('Max', ['norm', 'norm_epsilon'], ['safe_norm']),
    makeNode('Div', [unnormalized, 'safe_norm'], [CNN_ENCODER_IO.output]),
  );
  return encodeModel({
    name: 'cnn_image_encoder',
    inputs: [
      makeTensorValueInfo(CNN_ENCODER_IO.input, DataType.float, ['batch', shape.height, shape.width, 1]),
    ],
    outputs: [makeTensorValueInfo(CNN_ENCODER_IO.output, DataType.float, ['batch', shape.embeddingDim])],
    initializers,
    nodes,
    producerVersion: options.producerVersion,
    docString: options.docString,
    metadata: {
      precision: options.precision,
      height: String(shape.height),
      width: String(shape.width),
      conv_widths: shape.convWidths.join(','),
      embedding_dim: String(shape.embeddingDim),
    },
  });
}

/**
 * Block i's convolution in ONNX layout, OIHW [out, in, k, k] flattened, with inference batch norm folded
 * in (or the plain conv bias without batch norm).
 */
export function foldedConv(weights: CnnWeights, block: number): { kernel: Float32Array; bias: Float32Array } {
  const { shape, params } = weights;
  const out = shape.convWidths[block];
  const inChannels = shape.convWidths[block - 1] ?? 1;
  const k = shape.kernelSize;
  const hwio = params[`conv${block}.kernel`];
  const scale = new Float32Array(out).fill(1);
  const bias = new Float32Array(out);
  if (shape.batchNorm) {
    const gamma = params[`bn${block}.gamma`];
    const beta = params[`bn${block}.beta`];
    const mean = params[`bn${block}.mean`];
    const variance = params[`bn${block}.variance`];
    for (let o = 0; o < out; o++) {
      scale[o] = gamma[o] / Math.sqrt(variance[o] + BATCH_NORM_EPSILON);
      bias[o] = beta[o] - mean[o] * scale[o];
    }
  } else {
    bias.set(params[`conv${block}.bias`]);
  }
  const kernel = new Float32Array(hwio.length);
  for (let y = 0; y < k; y++) {
    for (let x = 0; x < k; x++) {
      for (let i = 0; i < inChannels; i++) {
        for (let o = 0; o < out; o++) {
          kernel[((o * inChannels + i) * k + y) * k + x] =
            hwio[((y * k + x) * inChannels + i) * out + o] * scale[o];
        }
      }
    }
  }
  return { kernel, bias };
}

/**
 * Adds a weight matrix, as float32 or as int8 dequantised in the graph, and returns the name of the
 * float tensor to use. `matrix` is row-major [rows, cols] and quantised with one scale per `axis` entry;
 * `dims` is the ONNX shape of the stored tensor (same element order).
 */
function addWeight(
  initializers: TensorProto[],
  nodes: NodeProto[],
  name: string,
  matrix: Float32Array,
  [rows, cols]: [number, number],
  axis: 0 | 1,
  precision: OnnxPrecision,
  dims: number[],
): string {
  if (precision === 'fp32') {
    initializers.push(makeInitializer(name, matrix, dims));
    return name;
  }
  const quantized = quantizeSymmetricInt8(matrix, rows, cols, axis);
  const channels = quantized.scales.length;
  initializers.push(
    makeInitializer(`${name}_int8`, quantized.values, dims),
    makeInitializer(`${name}_scale`, quantized.scales, [channels]),
    makeInitializer(`${name}_zero_point`, new Int8Array(channels), [channels]),
  );
  nodes.push(
    makeNode(
      'DequantizeLinear',
      [`${name}_int8`, `${name}_scale`, `${name}_zero_point`],
      [name],
      [attribute.int('axis', axis === 0 ? 0 : dims.length - 1)],
    ),
  );
  return name;
}
