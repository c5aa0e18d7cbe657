/**
 * A single-channel image: `pixels` row-major, `width * height` values from 0 (black) to 255 (white).
 * Float32Array because resizing produces fractional values, which are kept rather than rounded.
 */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Float32Array | Uint8Array;
}

/** ITU-R BT.601 luma, the weights of PIL's convert('L') and OpenCV's RGB2GRAY. */
export function luma(red: number, green: number, blue: number): number {
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}

export function checkGreyImage(image: GreyImage, what = 'image'): void {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what} must be at least 1x1 pixels, got ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(`${what} is ${width}x${height} but has ${pixels.length} pixels`);
  }
}
