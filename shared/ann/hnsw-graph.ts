import type { GraphWalk } from './graph-walk.ts';
import type { HnswLayer } from './hnsw-layer.ts';
import type { Int8Codes } from './int8-codes.ts';
import { ScoreHeap } from './score-heap.ts';

/**
 * A hierarchical navigable small-world graph (HNSW; Malkov and Yashunin, 2018) over unit vectors, so the
 * similarity of two nodes is one dot product (= cosine). Layer 0 holds every node with up to 2m
 * neighbours; each layer above holds a thinning subset with up to m. A search descends greedily through
 * the upper layers, then runs a best-first search on layer 0 keeping `ef` candidates: larger ef, better
 * recall, slower. The index builder writes it (build-hnsw.ts); the Node adapter searches it.
 */
export interface HnswGraph {
  dim: number;
  /**
   * Node n's unit vector at [n * dim, (n + 1) * dim). May be empty when the searcher is given int8 codes
   * and an exact scorer instead (the Workers index keeps no float32 copy).
   */
  vectors: Float32Array;
  /** Where every search starts: a node of the top layer. */
  entry: number;
  /** layers[0] holds every node; layers[l] the nodes whose level is at least l. */
  layers: HnswLayer[];
}

/** A layer with its node -> position map, for searching (layer 0 needs none: position = node). */
export interface SearchableLayer extends HnswLayer {
  positionOf?: Int32Array;
  /** Without positionOf: found by binary search in `nodes` (ascending), no map of the graph's size. */
  sorted?: boolean;
}

/** The similarity of a unit query and one node, as precise as the caller's storage allows. */
export type ExactScore = (query: Float32Array, node: number) => number;

/** Dot product of two rows of length `dim`; four accumulators let the CPU overlap the multiply-adds. */
export function dotAt(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += a[aOffset + j] * b[bOffset + j];
    s1 += a[aOffset + j + 1] * b[bOffset + j + 1];
    s2 += a[aOffset + j + 2] * b[bOffset + j + 2];
    s3 += a[aOffset + j + 3] * b[bOffset + j + 3];
  }
  for (; j < dim; j++) s0 += a[aOffset + j] * b[bOffset + j];
  return s0 + s1 + (s2 + s3);
}

/** The most neighbours one node can have: the batch a search scores at once (and Int8Codes must take). */
export function widestDegree(layers: readonly HnswLayer[]): number {
  return Math.max(1, ...layers.map((layer) => layer.degree));
}

/** Maps each layer's nodes to their positions once, so a search looks a node's links up in O(1). */
export function searchableLayers(layers: readonly HnswLayer[], count: number): SearchableLayer[] {
  return layers.map((layer, level) => {
    if (level === 0) return layer;
    const positionOf = new Int32Array(count).fill(-1);
    layer.nodes.forEach((node, position) => {
      positionOf[node] = position;
    });
    return { ...layer, positionOf };
  });
}

/** Where a node's links start in a layer, in units of `degree`. */
export function positionIn(layer: SearchableLayer, node: number): number {
  if (layer.positionOf) return layer.positionOf[node];
  if (!layer.sorted) return node;
  const { nodes } = layer;
  let low = 0;
  let high = nodes.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (nodes[middle] < node) low = middle + 1;
    else high = middle;
  }
  return nodes[low] === node ? low : -1;
}

/**
 * The layers as a searcher reads them: the upper layers looked up by binary search, so that a search of
 * a large graph holds no position map per layer (the Workers index counts every byte).
 */
export function compactSearchableLayers(layers: readonly HnswLayer[]): SearchableLayer[] {
  return layers.map((layer, level) => (level === 0 ? layer : { ...layer, sorted: true }));
}

/** The k best nodes, best first, with their similarities to the query. */
export interface Neighbours {
  nodes: Int32Array;
  scores: Float32Array;
}

/**
 * Searches one graph. It owns its scratch (visited marks, heaps), so searches through one searcher must
 * not interleave; they are synchronous, so on one JavaScript thread they cannot. The builder searches the
 * graph it is filling through the same code.
 *
 * With `codes` (the same vectors as int8, see int8-codes.ts) knn() walks the graph on the int8 scores,
 * a quarter of the memory traffic, then re-ranks the ef candidates it kept by their float32 similarity,
 * so the scores it returns are exact. With `exact` as well, the re-ranking asks it instead of reading
 * `vectors` (a Workers index re-scores from int8 codes plus an int8 residual, see shard-file.ts).
 */
export class HnswSearcher {
  private readonly visited: Uint32Array;
  private epoch = 0;
  /** Best candidate on top (keys are negated similarities). */
  private readonly candidates = new ScoreHeap();
  /** The ef best found so far, the worst on top (keys are similarities). */
  readonly found = new ScoreHeap();
  private readonly layers: SearchableLayer[];
  /** The nodes being scored together (a node's unvisited neighbours) and their scores. */
  private readonly batch: Int32Array;
  private readonly batchScores: Float32Array;
  /** The sum of the values touch() read, kept so that the compiler cannot drop the reads as unused. */
  touchedSum = 0;

  constructor(
    private readonly graph: HnswGraph,
    private readonly codes?: Int8Codes,
    private readonly exact?: ExactScore,
    /** Runs the layer-0 search in WebAssembly on the same codes (graph-walk.ts). */
    private readonly walk?: GraphWalk,
  ) {
    if ((exact || walk) && !codes) throw new Error('an exact scorer or a walk needs the int8 codes too');
    const count = graph.layers[0].nodes.length;
    this.visited = new Uint32Array(count);
    this.layers = compactSearchableLayers(graph.layers);
    const widest = widestDegree(graph.layers);
    this.batch = new Int32Array(widest);
    this.batchScores = new Float32Array(widest);
  }

  /** The k nodes most similar to a unit query, best first; `ef` (at least k) bounds the layer-0 search. */
  knn(query: Float32Array, k: number, ef: number): Neighbours {
    const { graph, codes } = this;
    codes?.setQuery(query);
    let entry = graph.entry;
    for (let level = this.layers.length - 1; level > 0; level--) {
      entry = this.greedy(query, 0, entry, level);
    }
    if (this.walk) return this.rerank(query, this.walk.search(query, entry, Math.max(ef, k)), k);
    this.searchLayer(query, 0, entry, Math.max(ef, k), 0);
    return codes ? this.rerank(query, this.drainBest(this.found.size).nodes, k) : this.drainBest(k);
  }

  /** Moves to the neighbour most similar to the query until none is better: the descent's step. */
  greedy(query: Float32Array, queryOffset: number, start: number, level: number): number {
    const layer = this.layers[level];
    const { batch, batchScores } = this;
    let node = start;
    batch[0] = node;
    this.score(query, queryOffset, 1);
    let best = batchScores[0];
    for (let improved = true; improved; ) {
      improved = false;
      const base = positionIn(layer, node) * layer.degree;
      let count = 0;
      while (count < layer.degree && layer.links[base + count] >= 0) {
        batch[count] = layer.links[base + count];
        count++;
      }
      this.score(query, queryOffset, count);
      for (let i = 0; i < count; i++) {
        if (batchScores[i] > best) {
          best = batchScores[i];
          node = batch[i];
          improved = true;
        }
      }
    }
    return node;
  }

  /** Best-first search of one layer from `entry`; leaves the ef best nodes in `found`. */
  searchLayer(query: Float32Array, queryOffset: number, entry: number, ef: number, level: number): void {
    const layer = this.layers[level];
    const { candidates, found, visited, batch, batchScores } = this;
    const epoch = this.nextEpoch();
    candidates.clear();
    found.clear();
    batch[0] = entry;
    this.score(query, queryOffset, 1);
    const first = batchScores[0];
    visited[entry] = epoch;
    candidates.push(-first, entry);
    found.push(first, entry);
    while (candidates.size > 0) {
      const score = -candidates.topKey();
      // Every candidate left is worse than the worst kept: nothing nearer can be reached.
      if (found.size >= ef && score < found.topKey()) break;
      const node = candidates.topNode();
      candidates.pop();
      const base = positionIn(layer, node) * layer.degree;
      let count = 0;
      for (let i = 0; i < layer.degree; i++) {
        const next = layer.links[base + i];
        if (next < 0) break;
        if (visited[next] === epoch) continue;
        visited[next] = epoch;
        batch[count++] = next;
      }
      this.score(query, queryOffset, count);
      for (let i = 0; i < count; i++) {
        const next = batch[i];
        const nextScore = batchScores[i];
        if (found.size < ef) {
          candidates.push(-nextScore, next);
          found.push(nextScore, next);
        } else if (nextScore > found.topKey()) {
          candidates.push(-nextScore, next);
          found.replaceTop(nextScore, next);
        }
      }
    }
  }

  /** batchScores[i] = similarity of the query and node batch[i], for i < count. */
  private score(query: Float32Array, queryOffset: number, count: number): void {
    const { batch, batchScores, codes } = this;
    if (codes) {
      codes.scoreRows(batch, count, batchScores);
      return;
    }
    const { vectors, dim } = this.graph;
    this.touch(batch, count);
    for (let i = 0; i < count; i++) batchScores[i] = dotAt(query, queryOffset, vectors, batch[i] * dim, dim);
  }

  /**
   * Reads one value per 64-byte cache line of each node's vector before any is scored. Neighbours lie
   * anywhere in memory, so a search waits mostly on cache misses; issued back to back, the misses overlap
   * instead of queueing behind each dot product (about twice as fast on the WordNet index).
   */
  private touch(nodes: Int32Array, count: number): void {
    const { vectors, dim } = this.graph;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const offset = nodes[i] * dim;
      for (let j = 0; j < dim; j += 16) sum += vectors[offset + j];
    }
    this.touchedSum = sum;
  }

  /** The k best of `nodes` by their float32 similarity (the walk kept them by approximate int8 scores). */
  private rerank(query: Float32Array, nodes: Int32Array, k: number): Neighbours {
    const { vectors, dim } = this.graph;
    const { found, exact } = this;
    found.clear();
    if (!exact) this.touch(nodes, nodes.length);
    for (const node of nodes) {
      const score = exact ? exact(query, node) : dotAt(query, 0, vectors, node * dim, dim);
      if (found.size < k) found.push(score, node);
      else if (score > found.topKey()) found.replaceTop(score, node);
    }
    return this.drainBest(k);
  }

  /** Empties `found` into arrays, best first, keeping the k best. */
  drainBest(k: number): Neighbours {
    const { found } = this;
    while (found.size > k) found.pop();
    const count = found.size;
    const nodes = new Int32Array(count);
    const scores = new Float32Array(count);
    for (let i = count - 1; i >= 0; i--) {
      scores[i] = found.topKey();
      nodes[i] = found.topNode();
      found.pop();
    }
    return { nodes, scores };
  }

  private nextEpoch(): number {
    if (this.epoch === 0xffffffff) {
      this.visited.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}
