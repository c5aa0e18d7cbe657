/**
 * Seeded randomness for evaluation (k-means++ seeding, sampling, map initialisation), so that the same
 * inputs and seed always give the same numbers. The generator is mulberry32, bit-for-bit the one in
 * trainer/encoder/text-encoder.ts; it lives here too so that evaluation never loads TensorFlow.js.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box-Muller; the second deviate is dropped to keep the generator stateless). */
export function gaussian(random: Random): number {
  const u = 1 - random(); // in (0, 1], so the log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A uniformly random integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** `count` distinct indices from [0, n), returned in increasing order (a seeded sample without replacement). */
export function sampleIndices(n: number, count: number, random: Random): Int32Array {
  const all = Array.from({ length: n }, (_, i) => i);
  return Int32Array.from(shuffled(all, random).slice(0, Math.min(count, n))).sort();
}
