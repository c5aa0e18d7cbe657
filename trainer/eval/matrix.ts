/**
 * Row-major embeddings: `rows` vectors of `dim` floats in one Float32Array. Every evaluation function
 * takes this one type, so callers convert once (from tfjs, ONNX or a file) and never reshape again.
 */
export interface EmbeddingMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** Wraps row-major data as a matrix, checking that it divides into whole rows. */
export function embeddingMatrix(data: Float32Array | ArrayLike<number>, dim: number): EmbeddingMatrix {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new Error(`data length ${data.length} is not a multiple of dim ${dim}`);
  const floats = data instanceof Float32Array ? data : Float32Array.from(data);
  return { data: floats, rows: floats.length / dim, dim };
}

/** Builds a matrix from one array per row (all of the same length). */
export function matrixFromRows(rows: readonly ArrayLike<number>[]): EmbeddingMatrix {
  if (rows.length === 0) throw new Error('matrixFromRows needs at least one row');
  const dim = rows[0].length;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`row ${i} has ${row.length} values, expected ${dim}`);
    data.set(row, i * dim);
  });
  return embeddingMatrix(data, dim);
}

/** A view of one row (no copy). */
export function rowOf(matrix: EmbeddingMatrix, i: number): Float32Array {
  return matrix.data.subarray(i * matrix.dim, (i + 1) * matrix.dim);
}

/** A new matrix holding the given rows, in the given order. */
export function selectRows(matrix: EmbeddingMatrix, indices: ArrayLike<number>): EmbeddingMatrix {
  const { dim } = matrix;
  const data = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) data.set(rowOf(matrix, indices[i]), i * dim);
  return { data, rows: indices.length, dim };
}

/** Squared L2 norm of every row, accumulated in float64. */
export function squaredRowNorms(matrix: EmbeddingMatrix): Float64Array {
  const { data, rows, dim } = matrix;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let t = i * dim, end = t + dim; t < end; t++) sum += data[t] * data[t];
    out[i] = sum;
  }
  return out;
}

/** Checks that labels are integers and that there is one per row. */
export function checkLabels(labels: ArrayLike<number>, rows: number, what: string): void {
  if (labels.length !== rows) throw new Error(`${what} has ${labels.length} labels for ${rows} rows`);
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new Error(`${what}[${i}] = ${labels[i]} is not an integer label`);
  }
}
