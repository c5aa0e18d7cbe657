/**
 * Seeded randomness for the whole tree: one generator (mulberry32) and one shuffle, so the same seed gives
 * the same numbers in the trainer, the metric library, evaluation, benchmarks and tests. Every seeded
 * figure in README and docs/ was drawn from this generator; changing it changes them.
 */

/** A seeded stream of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** mulberry32: a 32-bit state, fast and good enough for sampling and initialisation (not for secrets). */
export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random integer in [0, n). */
export function randomInt(random: Uniform, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** A standard normal deviate (Box-Muller; the second deviate is dropped to keep the generator stateless). */
export function gaussian(random: Uniform): number {
  const u = 1 - random(); // in (0, 1], so the log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The metric library's form of a stream: the few draws its miners, samplers and augmentations need. */
export interface Random {
  /** Uniform in [0, 1). */
  next: Uniform;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/** A seeded Random; each instance owns its own stream. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return { next, int: (n) => randomInt(next, n), normal: () => gaussian(next) };
}

/** A seed for the n-th stream derived from a base seed, so epochs and components draw independently. */
export function deriveSeed(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Fisher-Yates shuffle in place, from the last item down; returns `items`. */
export function shuffle<A extends { length: number; [index: number]: unknown }>(
  items: A,
  random: Uniform,
): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** A shuffled copy. */
export function shuffled<T>(items: readonly T[], random: Uniform): T[] {
  return shuffle(items.slice(), random);
}

/** `count` distinct indices from [0, n), returned in increasing order (a seeded sample without replacement). */
export function sampleIndices(n: number, count: number, random: Uniform): Int32Array {
  const all = Array.from({ length: n }, (_, i) => i);
  return Int32Array.from(shuffle(all, random).slice(0, Math.min(count, n))).sort();
}
