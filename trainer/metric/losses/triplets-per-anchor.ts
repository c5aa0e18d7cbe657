import { z } from 'zod';
import { createRandom, type Random } from '../../../shared/random.ts';
import {
  allTriplets,
  type IndicesTuple,
  type LabelSets,
  randomTriplets,
  type TripletTuple,
  toTriplets,
} from '../tuples.ts';

/** PML's `triplets_per_anchor`: every triplet, or this many random ones per anchor. */
export const TripletsPerAnchorSchema = z
  .union([z.literal('all'), z.number().int().positive()])
  .default('all');

/**
 * The triplets a triplet-based loss uses (PML `convert_to_triplets`): the given tuple converted to
 * triplets, else all triplets or `perAnchor` random ones from the labels.
 */
export function createTripletSource(perAnchor: 'all' | number, seed: number) {
  const random: Random = createRandom(seed);
  return (sets: LabelSets, tuple: IndicesTuple | undefined): TripletTuple => {
    if (tuple) return toTriplets(tuple);
    return perAnchor === 'all' ? allTriplets(sets) : randomTriplets(sets, perAnchor, random);
  };
}
