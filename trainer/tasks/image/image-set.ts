/**
 * Labelled grey images in one flat array: what every image loader returns and every later step reads.
 * `pixels` is row-major [count, height, width], 0 (black) to 255 (white).
 */
export interface ImageSet {
  pixels: Uint8Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  /** Readable name of each label (index = label). */
  classNames: readonly string[];
}

export function imageSet(parts: Omit<ImageSet, 'count'>): ImageSet {
  const count = parts.labels.length;
  if (parts.pixels.length !== count * parts.height * parts.width) {
    throw new Error(
      `${parts.pixels.length} pixels do not make ${count} images of ${parts.height}x${parts.width}`,
    );
  }
  for (const label of parts.labels) {
    if (label < 0 || label >= parts.classNames.length) {
      throw new Error(`label ${label} has no class name (${parts.classNames.length} classes)`);
    }
  }
  return { ...parts, count };
}

/** The images at `indices`, in that order. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = set.height * set.width;
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * size;
    pixels.set(set.pixels.subarray(from, from + size), i * size);
    labels[i] = set.labels[indices[i]];
  }
  return { ...set, pixels, labels, count: indices.length };
}

/** One image's pixels (a view, no copy). */
export function imagePixels(set: ImageSet, index: number): Uint8Array {
  const size = set.height * set.width;
  return set.pixels.subarray(index * size, (index + 1) * size);
}
