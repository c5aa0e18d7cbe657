import { z } from 'zod';
import { hashUniform } from './hash-uniform.ts';
import {
  dotAt,
  type HnswGraph,
  HnswSearcher,
  positionIn,
  type SearchableLayer,
  searchableLayers,
} from './hnsw-graph.ts';
import type { HnswLayer } from './hnsw-layer.ts';

export const HnswParamsSchema = z
  .object({
    /** Neighbours per node on the upper layers (2m on layer 0): more, better recall, bigger and slower. */
    m: z.number().int().min(2).max(64).default(16),
    /** Candidates kept while linking a node: more, a better graph, a slower build. */
    efConstruction: z.number().int().min(8).max(2048).default(100),
    /** Draws the node levels: the same vectors and params always give the same graph. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
  })
  .strict();
export type HnswParams = z.infer<typeof HnswParamsSchema>;

/** Levels above this are so unlikely (m^-16) that capping them changes nothing but bounds the layers. */
const MAX_LEVEL = 16;

/** How many linked nodes between two progress reports. */
const PROGRESS_EVERY = 4096;

/**
 * Builds the graph over unit vectors (node n = row n), inserting nodes in order as in the paper
 * (algorithms 1 and 4: neighbours chosen by the heuristic that keeps a candidate only when it is nearer
 * to the node than to every neighbour already kept, so links spread in every direction). Node levels come
 * from a hash of the node and the seed, so the build is deterministic and needs no random state.
 */
export function buildHnsw(
  vectors: Float32Array,
  dim: number,
  input: z.input<typeof HnswParamsSchema> = {},
  /** Called every few thousand nodes and at the end: building a large graph takes minutes. */
  onProgress?: (linked: number, total: number) => void,
): HnswGraph {
  const params = HnswParamsSchema.parse(input);
  const count = vectors.length / dim;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`expected rows of ${dim} values, got ${vectors.length}`);
  const levels = drawLevels(count, params);
  const layers = emptyLayers(levels, params.m);
  const graph: HnswGraph = { dim, vectors, entry: 0, layers };
  const searcher = new HnswSearcher(graph);
  const linker = new Linker(graph, searchableLayers(layers, count));

  let top = levels[0];
  for (let node = 1; node < count; node++) {
    const offset = node * dim;
    let entry = graph.entry;
    for (let level = top; level > levels[node]; level--)
      entry = searcher.greedy(vectors, offset, entry, level);
    for (let level = Math.min(top, levels[node]); level >= 0; level--) {
      searcher.searchLayer(vectors, offset, entry, params.efConstruction, level);
      const found = searcher.drainBest(params.efConstruction);
      entry = found.nodes[0];
      linker.connect(node, level, linker.select(found.nodes, found.scores, params.m));
    }
    if (levels[node] > top) {
      top = levels[node];
      graph.entry = node;
    }
    if ((node + 1) % PROGRESS_EVERY === 0) onProgress?.(node + 1, count);
  }
  onProgress?.(count, count);
  return graph;
}

/** Level of each node: floor(-ln(u) / ln(m)) for u uniform in (0, 1], drawn from a hash of (node, seed). */
function drawLevels(count: number, params: HnswParams): Uint8Array {
  const scale = 1 / Math.log(params.m);
  const levels = new Uint8Array(count);
  for (let node = 0; node < count; node++) {
    levels[node] = Math.min(MAX_LEVEL, Math.floor(-Math.log(hashUniform(node, params.seed)) * scale));
  }
  return levels;
}

function emptyLayers(levels: Uint8Array, m: number): HnswLayer[] {
  const top = levels.reduce((max, level) => Math.max(max, level), 0);
  return Array.from({ length: top + 1 }, (_, level) => {
    const nodes = Int32Array.from(levels.keys()).filter((node) => levels[node] >= level);
    const degree = level === 0 ? 2 * m : m;
    return { degree, nodes, links: new Int32Array(nodes.length * degree).fill(-1) };
  });
}

/** Writes links both ways, pruning a full neighbour list with the same heuristic. */
class Linker {
  constructor(
    private readonly graph: HnswGraph,
    private readonly layers: SearchableLayer[],
  ) {}

  /** Candidates (best first, with their similarity to the node) -> the ones to link, at most `max`. */
  select(candidates: ArrayLike<number>, scores: ArrayLike<number>, max: number): number[] {
    const { vectors, dim } = this.graph;
    const kept: number[] = [];
    for (let i = 0; i < candidates.length && kept.length < max; i++) {
      const candidate = candidates[i];
      const offset = candidate * dim;
      // A candidate nearer to a kept neighbour than to the node is reached through that neighbour.
      if (kept.every((other) => dotAt(vectors, offset, vectors, other * dim, dim) <= scores[i])) {
        kept.push(candidate);
      }
    }
    return kept;
  }

  connect(node: number, level: number, neighbours: readonly number[]): void {
    const layer = this.layers[level];
    const base = positionIn(layer, node) * layer.degree;
    neighbours.forEach((neighbour, i) => {
      layer.links[base + i] = neighbour;
    });
    for (const neighbour of neighbours) this.addLink(neighbour, node, level);
  }

  private addLink(from: number, to: number, level: number): void {
    const layer = this.layers[level];
    const base = positionIn(layer, from) * layer.degree;
    const slots = layer.links.subarray(base, base + layer.degree);
    const free = slots.indexOf(-1);
    if (free >= 0) {
      slots[free] = to;
      return;
    }
    const { vectors, dim } = this.graph;
    const pool = [...slots, to]
      .map((node) => ({ node, score: dotAt(vectors, from * dim, vectors, node * dim, dim) }))
      .sort((a, b) => b.score - a.score || a.node - b.node);
    const kept = this.select(
      pool.map((entry) => entry.node),
      pool.map((entry) => entry.score),
      layer.degree,
    );
    slots.fill(-1);
    slots.set(kept);
  }
}
