import type { OnnxPrecision } from './onnx-text-encoder.ts';

/**
 * The least cosine an exported file's embeddings may have with TF.js's on the same inputs. Every export
 * measures it, and it is what validates a file where Python's ONNX checker is not installed: a file that
 * onnxruntime loads but that computes something else fails here. int8 loses a little by design.
 */
export const MIN_PARITY_COSINE: Record<OnnxPrecision, number> = { fp32: 0.999, int8: 0.95 };

export function assertParity(what: string, precision: OnnxPrecision, minCosine: number): void {
  if (minCosine >= MIN_PARITY_COSINE[precision]) return;
  throw new Error(
    `${what}: the ${precision} ONNX file agrees with TF.js only to a cosine of ${minCosine.toFixed(6)} ` +
      `(at least ${MIN_PARITY_COSINE[precision]} required): the export is broken, nothing was published`,
  );
}
