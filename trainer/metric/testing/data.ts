import { createRandom, shuffle } from '../../../shared/random.ts';
import type { Matrix } from './reference/math.ts';

/** Small seeded test inputs: embeddings as float64 nested arrays plus labels with every class twice or more. */
export interface Batch {
  E: Matrix;
  labels: number[];
}

export function randomMatrix(
  rows: number,
  dim: number,
  seed: number,
  options: { unit?: boolean; scale?: number } = {},
): Matrix {
  const random = createRandom(seed);
  return Array.from({ length: rows }, () => {
    const row = Array.from({ length: dim }, () => random.normal() * (options.scale ?? 1));
    if (!options.unit) return row;
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
}

/** Labels 0..classes-1 each used at least twice (when rows allow), in seeded random order. */
export function randomLabels(rows: number, classes: number, seed: number): number[] {
  const random = createRandom(seed + 7919);
  return shuffle(
    Array.from({ length: rows }, (_, i) => i % classes),
    random.next,
  );
}

export function randomBatch(rows: number, dim: number, classes: number, seed: number, unit = false): Batch {
  return {
    E: randomMatrix(rows, dim, seed, { unit, scale: 1.5 }),
    labels: randomLabels(rows, classes, seed),
  };
}

export const flat = (m: Matrix) => Float32Array.from(m.flat());

export function unflatten(values: ArrayLike<number>, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => values[r * cols + c]));
}

/** Rows around one random centre per class: neighbours are mostly positives, unlike purely random rows. */
export function clusteredBatch(
  rows: number,
  dim: number,
  classes: number,
  seed: number,
  spread: number,
): Batch {
  const centres = randomMatrix(classes, dim, seed + 1, { unit: true });
  const noise = randomMatrix(rows, dim, seed + 2, { scale: spread });
  const labels = randomLabels(rows, classes, seed);
  return { E: labels.map((label, i) => centres[label].map((v, k) => v + noise[i][k])), labels };
}
