import { describe, expect, it } from 'vitest';
import { normalizePixels, toModelInput } from './model-input.ts';
import { padToSquare, resizeGrey } from './resize.ts';

const image = (width: number, height: number, f: (x: number, y: number) => number) => ({
  width,
  height,
  pixels: Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width))),
});

describe('resizeGrey (Pillow BILINEAR)', () => {
  it('keeps a flat image flat at any scale', () => {
    const flat = image(13, 7, () => 90);
    for (const [w, h] of [
      [28, 28],
      [5, 3],
      [1, 1],
    ]) {
      for (const value of resizeGrey(flat, w, h).pixels) expect(value).toBeCloseTo(90, 4);
    }
  });

  it('halves with the widened triangle filter, as Pillow computes it', () => {
    // 4 -> 2 columns, scale 2: output 0 is centred at 1.0 and takes columns 0..2 (Pillow's window
    // [trunc(centre - 2 + 0.5), trunc(centre + 2 + 0.5)) clipped), weights triangle((j - 1 + 0.5) / 2) =
    // 0.75, 0.75, 0.25, normalised to 3/7, 3/7, 1/7; output 1 (centre 3.0) takes columns 1..3 with 1/7, 3/7, 3/7.
    // 2 -> 1 rows averages both rows (weights 0.75, 0.75).
    const source = image(4, 2, (x, y) => x * 10 + y * 100);
    const out = resizeGrey(source, 2, 1);
    const row = (a: number, b: number, c: number, wa: number, wb: number, wc: number) =>
      (a * wa + b * wb + c * wc) / 7;
    expect(Array.from(out.pixels)).toEqual([
      expect.closeTo(row(0, 10, 20, 3, 3, 1) + 50, 4),
      expect.closeTo(row(10, 20, 30, 1, 3, 3) + 50, 4),
    ]);
  });

  it('interpolates linearly between pixel centres when enlarging', () => {
    // 2 -> 4 pixels: output centres at 0.25 and 0.75 of an input pixel from the edges.
    const out = resizeGrey(
      image(2, 1, (x) => x * 100),
      4,
      1,
    );
    expect(Array.from(out.pixels)).toEqual([0, 25, 75, 100].map((v) => expect.closeTo(v, 4)));
  });

  it('returns a copy at the same size', () => {
    const source = image(3, 3, (x, y) => x + y);
    const out = resizeGrey(source, 3, 3);
    expect(Array.from(out.pixels)).toEqual(Array.from(source.pixels));
    expect(out.pixels).not.toBe(source.pixels);
  });
});

describe('padToSquare and toModelInput', () => {
  it('centres a wide image on a black square', () => {
    const out = padToSquare(image(4, 2, () => 9));
    expect([out.width, out.height]).toEqual([4, 4]);
    expect(Array.from(out.pixels)).toEqual([0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0]);
  });

  it('pads, resizes and normalises as the manifest says', () => {
    const spec = { width: 2, height: 2, normalization: { mean: 0.5, std: 0.25 } };
    // 4 x 2 of white -> 4 x 4 with a black row above and below -> 2 x 2: each output row takes rows
    // (black, white, white) with weights 3/7, 3/7, 1/7 (see above), so 4/7 of white.
    const input = toModelInput(
      image(4, 2, () => 255),
      spec,
    );
    const expectedGrey = (255 * 4) / 7;
    for (const value of input) expect(value).toBeCloseTo((expectedGrey / 255 - 0.5) / 0.25, 4);
    expect(Array.from(normalizePixels([0, 255], spec.normalization))).toEqual([-2, 2]);
  });
});
