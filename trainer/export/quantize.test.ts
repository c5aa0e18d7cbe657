import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dequantizeSymmetricInt8, quantizeSymmetricInt8, roundHalfToEven } from './quantize.ts';

const float32 = Math.fround;

const matrixArbitrary = fc
  .record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 8 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      values: fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), {
        minLength: rows * cols,
        maxLength: rows * cols,
      }),
    }),
  );

describe('quantizeSymmetricInt8', () => {
  it.each([0, 1] as const)('round-trips every value within half a step of its channel (axis %i)', (axis) => {
    fc.assert(
      fc.property(matrixArbitrary, ({ rows, cols, values }) => {
        const matrix = Float32Array.from(values);
        const quantized = quantizeSymmetricInt8(matrix, rows, cols, axis);
        const restored = dequantizeSymmetricInt8(quantized, rows, cols, axis);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const scale = quantized.scales[axis === 0 ? r : c];
            const i = r * cols + c;
            expect(Math.abs(quantized.values[i])).toBeLessThanOrEqual(127);
            expect(Math.abs(restored[i] - matrix[i])).toBeLessThanOrEqual(
              scale * 0.5 + 1e-6 * Math.abs(matrix[i]),
            );
          }
        }
      }),
    );
  });

  it('gives each row its own scale max|w|/127 and maps the extreme to +-127', () => {
    // Row 0 is 1000x smaller than row 1: a per-tensor scale would flush it to zero.
    const matrix = Float32Array.of(0.0011, -0.002, 0.0005, 1.1, 2, -0.5);
    const { values, scales } = quantizeSymmetricInt8(matrix, 2, 3, 0);
    expect(Array.from(scales)).toEqual([float32(float32(0.002) / 127), float32(2 / 127)]);
    expect(Array.from(values)).toEqual([70, -127, 32, 70, 127, -32]);
  });

  it('gives each column its own scale along axis 1', () => {
    const matrix = Float32Array.of(1, -0.011, -3, 0.02);
    const { values, scales } = quantizeSymmetricInt8(matrix, 2, 2, 1);
    expect(Array.from(scales)).toEqual([float32(3 / 127), float32(float32(0.02) / 127)]);
    expect(Array.from(values)).toEqual([42, -70, -127, 127]);
  });

  it('keeps the scale of a subnormal channel positive', () => {
    const { scales } = quantizeSymmetricInt8(Float32Array.of(1e-45, 0), 1, 2, 0);
    expect(scales[0]).toBeGreaterThan(0);
  });

  it('keeps all-zero channels exact with a finite positive scale', () => {
    const matrix = Float32Array.of(0, 0, 0, 0.5, -1, 0.25);
    const quantized = quantizeSymmetricInt8(matrix, 2, 3, 0);
    expect(quantized.scales[0]).toBe(1);
    expect(Array.from(quantized.values.subarray(0, 3))).toEqual([0, 0, 0]);
    const restored = dequantizeSymmetricInt8(quantized, 2, 3, 0);
    expect(Array.from(restored.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(quantized.scales.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
  });

  it('rejects non-finite weights and wrong sizes', () => {
    expect(() => quantizeSymmetricInt8(Float32Array.of(1, Number.NaN), 1, 2, 0)).toThrow(/non-finite/);
    expect(() => quantizeSymmetricInt8(Float32Array.of(1, 2, 3), 2, 2, 0)).toThrow(/2x2/);
  });
});

describe('roundHalfToEven', () => {
  it('rounds ties to the even neighbour, symmetrically around zero', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map(roundHalfToEven)).toEqual([-2, -2, 0, 0, 2, 2]);
    expect([-1.4, -0.6, 0.4, 0.6, 126.7].map(roundHalfToEven)).toEqual([-1, -1, 0, 1, 127]);
  });
});
