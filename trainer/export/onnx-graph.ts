import onnxProto from 'onnx-proto';

/**
 * Small builders for ONNX protos, named after Python's `onnx.helper` (make_node, make_tensor_value_info, ...)
 * so that a graph written here reads like the reference docs. Shared by every exporter in this folder.
 */
const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** IR 8 with the default-domain opset 17: what onnxruntime-web 1.x and onnx 1.12's checker both accept. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

export const DataType = {
  float: onnx.TensorProto.DataType.FLOAT,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** A dimension is a fixed size or a symbolic name ("batch") that stays dynamic. */
export type Dim = number | string;

export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly AttributeProto[] = [],
): NodeProto {
  // Naming a node after its first output keeps names unique, which the checker requires.
  return { opType, input: [...inputs], output: [...outputs], name: outputs[0], attribute: [...attributes] };
}

export const attribute = {
  int: (name: string, value: number): AttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INT,
    i: value,
  }),
  ints: (name: string, values: readonly number[]): AttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: [...values],
  }),
  float: (name: string, value: number): AttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.FLOAT,
    f: value,
  }),
};

type TensorData = Float32Array | Int8Array | Int32Array | BigInt64Array;

function dataTypeOf(data: TensorData): DataType {
  if (data instanceof Float32Array) return DataType.float;
  if (data instanceof Int8Array) return DataType.int8;
  if (data instanceof Int32Array) return DataType.int32;
  return DataType.int64;
}

/**
 * A constant tensor stored as raw little-endian bytes (ONNX's raw_data layout), the compact form for
 * large weights. The element type follows the typed array.
 */
export function makeInitializer(name: string, data: TensorData, dims: readonly number[]): TensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
  }
  return {
    name,
    dataType: dataTypeOf(data),
    dims: [...dims],
    rawData: littleEndianBytes(data),
  };
}

// ONNX raw_data is little-endian; so is every host Node and V8 run on, which lets us copy bytes as they are.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: TensorData): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('ONNX export needs a little-endian host');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export function makeTensorValueInfo(name: string, elemType: DataType, shape: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface ModelParts {
  name: string;
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers: TensorProto[];
  nodes: NodeProto[];
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Assembles and serialises a ModelProto (IR_VERSION, default domain at OPSET_VERSION). */
export function encodeModel(parts: ModelParts): Uint8Array {
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: 'dml-edge',
    producerVersion: parts.producerVersion ?? '',
    docString: parts.docString ?? '',
    graph: {
      name: parts.name,
      input: parts.inputs,
      output: parts.outputs,
      initializer: parts.initializers,
      node: parts.nodes,
    },
    metadataProps: Object.entries(parts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Decodes a serialised model, for tests and tools that inspect what was written. */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
