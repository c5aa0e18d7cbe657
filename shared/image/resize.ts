import { checkGreyImage, type GreyImage } from './grey-image.ts';

/**
 * Resampling with Pillow's BILINEAR filter (Image.resize, "Resample.BILINEAR"): a triangle filter
 * widened by the scale factor when shrinking, so downscaling averages every source pixel (no aliasing)
 * and upscaling interpolates linearly. Separable: rows, then columns. Pixel centres are at +0.5, as in
 * Pillow, and each output pixel's weights are normalised to sum to 1, so a flat image stays flat.
 */
export function resizeGrey(image: GreyImage, width: number, height: number): GreyImage {
  checkGreyImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`cannot resize to ${width}x${height}`);
  }
  if (image.width === width && image.height === height) {
    return { width, height, pixels: Float32Array.from(image.pixels) };
  }
  const horizontal = resampleWeights(image.width, width);
  const vertical = resampleWeights(image.height, height);
  const rows = new Float32Array(image.height * width);
  for (let y = 0; y < image.height; y++) {
    applyWeights(image.pixels, y * image.width, 1, horizontal, rows, y * width, 1);
  }
  const out = new Float32Array(height * width);
  for (let x = 0; x < width; x++) applyWeights(rows, x, width, vertical, out, x, width);
  return { width, height, pixels: out };
}

/**
 * Pads the shorter side with `background` so the image is square, the content centred, before a resize
 * to a square model input: shapes keep their proportions, as in Fashion-MNIST's own preparation.
 */
export function padToSquare(image: GreyImage, background = 0): GreyImage {
  checkGreyImage(image);
  const side = Math.max(image.width, image.height);
  if (image.width === side && image.height === side) return image;
  const pixels = new Float32Array(side * side).fill(background);
  const left = Math.floor((side - image.width) / 2);
  const top = Math.floor((side - image.height) / 2);
  for (let y = 0; y < image.height; y++) {
    pixels.set(image.pixels.subarray(y * image.width, (y + 1) * image.width), (top + y) * side + left);
  }
  return { width: side, height: side, pixels };
}

interface Weights {
  /** First source index of each output pixel. */
  first: Int32Array;
  /** `taps` weights per output pixel (zero-padded). */
  values: Float64Array;
  taps: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** Pillow's precompute_coeffs (libImaging/Resample.c) for the bilinear filter, support 1. */
function resampleWeights(inSize: number, outSize: number): Weights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const values = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const from = Math.max(0, Math.trunc(centre - support + 0.5));
    const to = Math.min(inSize, Math.trunc(centre + support + 0.5));
    let total = 0;
    for (let j = from; j < to; j++) {
      const w = triangle((j - centre + 0.5) / filterScale);
      values[i * taps + (j - from)] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < to - from; j++) values[i * taps + j] /= total;
    first[i] = from;
  }
  return { first, values, taps };
}

function applyWeights(
  source: ArrayLike<number>,
  sourceStart: number,
  sourceStride: number,
  weights: Weights,
  target: Float32Array,
  targetStart: number,
  targetStride: number,
): void {
  const { first, values, taps } = weights;
  for (let i = 0; i < first.length; i++) {
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const w = values[i * taps + t];
      if (w !== 0) sum += w * source[sourceStart + (first[i] + t) * sourceStride];
    }
    target[targetStart + i * targetStride] = sum;
  }
}
