import { murmur3 } from '../featurizer/murmur3.ts';

/**
 * A uniform draw in (0, 1] for (index, seed): a hash, not a generator, so draws need no shared state and
 * the same index always gets the same value.
 */
export function hashUniform(index: number, seed: number): number {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, index, true);
  return (murmur3(bytes, 4, seed) + 1) / 2 ** 32;
}
