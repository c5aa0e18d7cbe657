import { vectorProblem } from '../shared/db/index-schema.ts';
import { ApiError } from './errors.ts';
import type { CollectionInfo } from './ports.ts';

/**
 * A vector a client sent (a raw search query, an item to store), checked against the collection's
 * dimensions and finiteness, scaled to unit length as every stored vector is; a 400 naming `field`.
 */
export function givenUnitVector(
  values: readonly number[],
  collection: CollectionInfo,
  field: string,
): Float32Array {
  const vector = Float32Array.from(values);
  const problem = vectorProblem(vector, collection.dims);
  if (problem) {
    throw new ApiError(
      400,
      'invalid_request',
      `${field}: the vector ${problem} (collection "${collection.name}")`,
    );
  }
  let squaredNorm = 0;
  for (const value of vector) squaredNorm += value * value;
  const norm = Math.sqrt(squaredNorm);
  return vector.map((value) => value / norm);
}
