import { convertIndexedToRgb, decode as decodePngFile, hasPngSignature } from 'fast-png';
import { decode as decodeJpegFile } from 'jpeg-js';
import { type GreyImage, luma } from './grey-image.ts';

/**
 * PNG and JPEG bytes -> one grey channel, in pure JavaScript (fast-png, jpeg-js) so that Node and
 * Workers decode alike. Colour becomes BT.601 luma; transparent pixels are composited over black, the
 * background of Fashion-MNIST-style images (a light object on a dark ground).
 */

/** Decoding refuses images above this many pixels before allocating them (a 4000 x 4000 photo). */
export const MAX_IMAGE_PIXELS = 16_000_000;

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (hasPngSignature(bytes)) return 'png';
  if (JPEG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'jpeg';
  return undefined;
}

/** Untrusted PNGs must pass checkPngBounds (png-bounds.ts) first: fast-png itself allocates what they declare. */
export function decodeImage(bytes: Uint8Array, maxPixels = MAX_IMAGE_PIXELS): GreyImage {
  const format = imageFormat(bytes);
  if (!format) throw new ImageDecodeError('the image is neither PNG nor JPEG');
  try {
    return format === 'png' ? decodePng(bytes, maxPixels) : decodeJpeg(bytes, maxPixels);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(
      `the ${format.toUpperCase()} image cannot be decoded: ${(error as Error).message}`,
    );
  }
}

function checkSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new ImageDecodeError(`the image is ${width}x${height}, above the ${maxPixels}-pixel limit`);
  }
}

function decodeJpeg(bytes: Uint8Array, maxPixels: number): GreyImage {
  const maxResolutionInMP = maxPixels / 1e6;
  const { width, height, data } = decodeJpegFile(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP,
  });
  checkSize(width, height, maxPixels);
  return { width, height, pixels: rgbaToGrey(data, width * height, 255) };
}

function decodePng(bytes: Uint8Array, maxPixels: number): GreyImage {
  const png = decodePngFile(bytes);
  const { width, height } = png;
  checkSize(width, height, maxPixels);
  const count = width * height;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / count;
    return { width, height, pixels: channels === 4 ? rgbaToGrey(rgb, count, 255) : rgbToGrey(rgb, count) };
  }
  const max = 2 ** png.depth - 1;
  const samples = png.depth < 8 ? unpackBits(png.data, width, height, png.depth) : png.data;
  const pixels = new Float32Array(count);
  const channels = png.channels;
  const scale = 255 / max;
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    let grey: number;
    let alpha = max;
    if (channels <= 2) {
      grey = samples[at];
      if (channels === 2) alpha = samples[at + 1];
    } else {
      grey = luma(samples[at], samples[at + 1], samples[at + 2]);
      if (channels === 4) alpha = samples[at + 3];
    }
    pixels[i] = grey * scale * (alpha / max);
  }
  return { width, height, pixels };
}

function rgbaToGrey(rgba: ArrayLike<number>, count: number, max: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * 4;
    out[i] = luma(rgba[at], rgba[at + 1], rgba[at + 2]) * (rgba[at + 3] / max);
  }
  return out;
}

function rgbToGrey(rgb: ArrayLike<number>, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = luma(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
  return out;
}

/** Grey PNGs of 1, 2 or 4 bits per pixel: every row starts on a byte boundary, most significant bits first. */
function unpackBits(data: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
