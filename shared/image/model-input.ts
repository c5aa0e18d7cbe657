import type { GreyImage } from './grey-image.ts';
import { padToSquare, resizeGrey } from './resize.ts';

/** How an image model wants its pixels: the manifest's image input, as the preprocessing reads it. */
export interface ImageInputSpec {
  width: number;
  height: number;
  /** Model input = (pixel / 255 - mean) / std. */
  normalization: { mean: number; std: number };
}

/**
 * Any grey image -> the model's input: padded to a square (when the model's input is square) so shapes
 * keep their proportions, resized with Pillow's bilinear filter, then normalised. Trainer and edge both
 * call this, so an image is prepared identically for training, the index and queries.
 */
export function toModelInput(image: GreyImage, spec: ImageInputSpec): Float32Array {
  const framed = spec.width === spec.height ? padToSquare(image) : image;
  const sized =
    framed.width === spec.width && framed.height === spec.height
      ? framed
      : resizeGrey(framed, spec.width, spec.height);
  return normalizePixels(sized.pixels, spec.normalization);
}

export function normalizePixels(
  pixels: ArrayLike<number>,
  { mean, std }: ImageInputSpec['normalization'],
  out: Float32Array = new Float32Array(pixels.length),
): Float32Array {
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] / 255 - mean) / std;
  return out;
}
