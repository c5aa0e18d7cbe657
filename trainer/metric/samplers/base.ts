/** A sampler turns a dataset's labels into batches of row indices, the same ones for the same epoch. */
export interface Sampler {
  readonly name: string;
  readonly batchSize: number;
  /** The batches of epoch `epoch` (0, 1, ...), drawn from a stream seeded by (seed, epoch). */
  epoch(epoch: number): Int32Array[];
}

/** Row indices grouped by label. */
export function rowsByLabel(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = groups.get(label);
    if (rows) rows.push(row);
    else groups.set(label, [row]);
  });
  return groups;
}
