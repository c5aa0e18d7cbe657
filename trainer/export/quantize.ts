/**
 * Symmetric int8 quantisation of a row-major [rows, cols] matrix with one scale per row or per column,
 * as ONNX DequantizeLinear reads it: value = q * scale, zero point 0, q in [-127, 127] (-128 is left
 * unused so that the range is symmetric and negating a weight never saturates).
 *
 * `axis` follows ONNX's per-axis convention: the axis the scales run along. axis 0 gives one scale per
 * row (an embedding table, one feature's vector per row); axis 1 one scale per column (a dense kernel
 * [in, out], i.e. per output channel, the layout DequantizeLinear(axis=1) expects).
 */
export interface QuantizedInt8 {
  values: Int8Array;
  /** scale[k] for row k (axis 0) or column k (axis 1); always finite and > 0. */
  scales: Float32Array;
}

export type QuantizationAxis = 0 | 1;

const INT8_LIMIT = 127;
/** The smallest normal float32: max/127 of a subnormal channel would otherwise round to a zero scale. */
const MIN_SCALE = 2 ** -126;

export function quantizeSymmetricInt8(
  matrix: Float32Array,
  rows: number,
  cols: number,
  axis: QuantizationAxis,
): QuantizedInt8 {
  if (matrix.length !== rows * cols) throw new Error(`expected ${rows}x${cols} values, got ${matrix.length}`);
  const channelOf = axis === 0 ? (r: number) => r : (_r: number, c: number) => c;
  const channels = axis === 0 ? rows : cols;

  const maxAbs = new Float32Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = matrix[r * cols + c];
      if (!Number.isFinite(v)) throw new Error(`cannot quantise a non-finite weight at [${r}, ${c}]`);
      const k = channelOf(r, c);
      maxAbs[k] = Math.max(maxAbs[k], Math.abs(v));
    }
  }
  // An all-zero channel gets scale 1: its values quantise to 0 and dequantise to exact zeros, no 0/0.
  const scales = maxAbs.map((m) => (m > 0 ? Math.max(m / INT8_LIMIT, MIN_SCALE) : 1));

  const values = new Int8Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      // The float32 scale can round below max/127, so the clamp keeps the extreme value in range.
      const q = roundHalfToEven(matrix[i] / scales[channelOf(r, c)]);
      values[i] = Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, q));
    }
  }
  return { values, scales };
}

/** The inverse: q * scale per channel, what the exported graph computes at inference. */
export function dequantizeSymmetricInt8(
  quantized: QuantizedInt8,
  rows: number,
  cols: number,
  axis: QuantizationAxis,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      out[i] = quantized.values[i] * quantized.scales[axis === 0 ? r : c];
    }
  }
  return out;
}

/** Round half to even, the rounding ONNX QuantizeLinear uses, so ties do not bias weights upwards. */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
