/**
 * Keeps the k smallest (key, index) pairs seen so far in a bounded max-heap. Ties on key are broken by the
 * smaller index, so the result does not depend on the order in which candidates arrive.
 */
export class TopK {
  private readonly keys: Float64Array;
  private readonly indices: Int32Array;
  private size = 0;

  constructor(readonly capacity: number) {
    this.keys = new Float64Array(capacity);
    this.indices = new Int32Array(capacity);
  }

  /** The worst kept key, or +Infinity while the heap is not full (so any candidate qualifies). */
  get threshold(): number {
    return this.size < this.capacity ? Number.POSITIVE_INFINITY : this.keys[0];
  }

  reset(): void {
    this.size = 0;
  }

  offer(key: number, index: number): void {
    if (this.capacity === 0) return;
    if (this.size < this.capacity) {
      this.siftUp(this.size++, key, index);
    } else if (this.isWorse(this.keys[0], this.indices[0], key, index)) {
      this.siftDown(0, key, index);
    }
  }

  /** Writes the kept pairs best-first into the start of `keysOut` and `indicesOut`; empties the heap. */
  drainSorted(keysOut: Float64Array, indicesOut: Int32Array): number {
    const count = this.size;
    for (let slot = count - 1; slot >= 0; slot--) {
      keysOut[slot] = this.keys[0];
      indicesOut[slot] = this.indices[0];
      const last = --this.size;
      if (last > 0) this.siftDown(0, this.keys[last], this.indices[last]);
    }
    return count;
  }

  /** True when (keyA, indexA) ranks after (keyB, indexB). */
  private isWorse(keyA: number, indexA: number, keyB: number, indexB: number): boolean {
    return keyA > keyB || (keyA === keyB && indexA > indexB);
  }

  private siftUp(position: number, key: number, index: number): void {
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.isWorse(key, index, this.keys[parent], this.indices[parent])) break;
      this.keys[i] = this.keys[parent];
      this.indices[i] = this.indices[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.indices[i] = index;
  }

  private siftDown(position: number, key: number, index: number): void {
    let i = position;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      const right = child + 1;
      if (
        right < this.size &&
        this.isWorse(this.keys[right], this.indices[right], this.keys[child], this.indices[child])
      ) {
        child = right;
      }
      if (!this.isWorse(this.keys[child], this.indices[child], key, index)) break;
      this.keys[i] = this.keys[child];
      this.indices[i] = this.indices[child];
      i = child;
    }
    this.keys[i] = key;
    this.indices[i] = index;
  }
}
