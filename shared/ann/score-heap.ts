/**
 * A binary min-heap of (score, node) pairs in typed arrays that grow by doubling, so a search reuses one
 * heap and allocates nothing once it has warmed up. Keep the worst on top by pushing the score, the best
 * on top by pushing its negation.
 */
export class ScoreHeap {
  private keys: Float64Array;
  private nodes: Int32Array;
  size = 0;

  constructor(capacity = 64) {
    this.keys = new Float64Array(capacity);
    this.nodes = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  /** The smallest key; only meaningful when size > 0. */
  topKey(): number {
    return this.keys[0];
  }

  topNode(): number {
    return this.nodes[0];
  }

  push(key: number, node: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      this.nodes[i] = this.nodes[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.nodes[i] = node;
  }

  /** Removes the top pair; read it first with topKey() and topNode(). */
  pop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(this.keys[last], this.nodes[last]);
  }

  /** pop() then push(), in one pass: what a full bounded heap does with a better pair. */
  replaceTop(key: number, node: number): void {
    this.siftDown(key, node);
  }

  /** Puts (key, node) in the top slot and moves it down to its place. */
  private siftDown(key: number, node: number): void {
    const last = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= key) break;
      this.keys[i] = this.keys[child];
      this.nodes[i] = this.nodes[child];
      i = child;
    }
    this.keys[i] = key;
    this.nodes[i] = node;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    const nodes = new Int32Array(this.nodes.length * 2);
    keys.set(this.keys);
    nodes.set(this.nodes);
    this.keys = keys;
    this.nodes = nodes;
  }
}
