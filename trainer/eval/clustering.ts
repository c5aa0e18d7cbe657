import { kMeans } from './kmeans.ts';
import { checkLabels, type EmbeddingMatrix } from './matrix.ts';
import { ami, nmi } from './mutual-info.ts';

export interface ClusteringMetrics {
  nmi: number;
  ami: number;
  /** The k-means cluster of each item. */
  clusters: Int32Array;
}

/**
 * PML's clustering metrics: k-means with k = the number of distinct labels, then NMI and AMI between the
 * labels and the clusters. PML clusters with faiss (random init); we use seeded k-means++ so that a run is
 * reproducible.
 */
export function clusteringMetrics(
  embeddings: EmbeddingMatrix,
  labels: ArrayLike<number>,
  seed = 0,
): ClusteringMetrics {
  checkLabels(labels, embeddings.rows, 'labels');
  const k = new Set(Array.from(labels)).size;
  const { assignments } = kMeans(embeddings, k, { seed });
  return { nmi: nmi(labels, assignments), ami: ami(labels, assignments), clusters: assignments };
}
