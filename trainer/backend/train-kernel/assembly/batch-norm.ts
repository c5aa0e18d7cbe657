// Batch normalisation passes over [rows, channels] float32 matrices in the host's memory (AssemblyScript,
// built to ../batch-norm.wasm by `npm run build:wasm-train`; the host imports tfjs-backend-wasm's memory,
// so the kernels read and write tensors where they are). Pointers are byte offsets. Per-channel sums are
// float32 over blocks of BLOCK_ROWS rows, added into float64 totals: 4 lanes of channels per instruction,
// and no float32 sum runs over more than BLOCK_ROWS terms.

const BLOCK_ROWS: i32 = 64;

@inline
function zero(at: usize, channels: i32): void {
  memory.fill(at, 0, <usize>channels << 2);
}

@inline
function addBlock(totals: usize, block: usize, channels: i32): void {
  for (let c = 0; c < channels; c++) {
    const t = totals + (<usize>c << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(block + (<usize>c << 2)));
  }
}

/** totals[c] += Σ_r x[r, c] (f64 totals; `block` is scratch for `channels` f32). */
export function sumRows(x: usize, rows: i32, channels: i32, block: usize, totals: usize): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    zero(block, channels);
    const r1 = min(rows, r0 + BLOCK_ROWS);
    for (let r = r0; r < r1; r++) {
      const row = x + <usize>r * rowBytes;
      let c: usize = 0;
      for (; c < vectorEnd; c += 16) {
        v128.store(block + c, f32x4.add(v128.load(block + c), v128.load(row + c)));
      }
      for (; c < rowBytes; c += 4) store<f32>(block + c, load<f32>(block + c) + load<f32>(row + c));
    }
    addBlock(totals, block, channels);
  }
}

/** totals[c] += Σ_r (x[r, c] - mean[c])² (mean: `channels` f32). */
export function sumSquaredDeviations(
  x: usize,
  rows: i32,
  channels: i32,
  mean: usize,
  block: usize,
  totals: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    zero(block, channels);
    const r1 = min(rows, r0 + BLOCK_ROWS);
    for (let r = r0; r < r1; r++) {
      const row = x + <usize>r * rowBytes;
      let c: usize = 0;
      for (; c < vectorEnd; c += 16) {
        const d = f32x4.sub(v128.load(row + c), v128.load(mean + c));
        v128.store(block + c, f32x4.add(v128.load(block + c), f32x4.mul(d, d)));
      }
      for (; c < rowBytes; c += 4) {
        const d = load<f32>(row + c) - load<f32>(mean + c);
        store<f32>(block + c, load<f32>(block + c) + d * d);
      }
    }
    addBlock(totals, block, channels);
  }
}

/**
 * dyTotals[c] += Σ_r dy[r, c] and centeredTotals[c] += Σ_r dy[r, c] (x[r, c] - mean[c]) in one pass
 * (the batch-norm gradient's two sums).
 */
export function gradientSums(
  dy: usize,
  x: usize,
  rows: i32,
  channels: i32,
  mean: usize,
  dyBlock: usize,
  centeredBlock: usize,
  dyTotals: usize,
  centeredTotals: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    zero(dyBlock, channels);
    zero(centeredBlock, channels);
    const r1 = min(rows, r0 + BLOCK_ROWS);
    for (let r = r0; r < r1; r++) {
      const offset = <usize>r * rowBytes;
      const g = dy + offset;
      const row = x + offset;
      let c: usize = 0;
      for (; c < vectorEnd; c += 16) {
        const grad = v128.load(g + c);
        v128.store(dyBlock + c, f32x4.add(v128.load(dyBlock + c), grad));
        const d = f32x4.sub(v128.load(row + c), v128.load(mean + c));
        v128.store(centeredBlock + c, f32x4.add(v128.load(centeredBlock + c), f32x4.mul(grad, d)));
      }
      for (; c < rowBytes; c += 4) {
        const grad = load<f32>(g + c);
        store<f32>(dyBlock + c, load<f32>(dyBlock + c) + grad);
        store<f32>(centeredBlock + c, load<f32>(centeredBlock + c) + grad * (load<f32>(row + c) - load<f32>(mean + c)));
      }
    }
    addBlock(dyTotals, dyBlock, channels);
    addBlock(centeredTotals, centeredBlock, channels);
  }
}

/** out[r, c] = x[r, c] a[c] + b[c]. */
export function scaleShift(x: usize, rows: i32, channels: i32, a: usize, b: usize, out: usize): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const row = x + offset;
    const to = out + offset;
    let c: usize = 0;
    for (; c < vectorEnd; c += 16) {
      v128.store(to + c, f32x4.add(f32x4.mul(v128.load(row + c), v128.load(a + c)), v128.load(b + c)));
    }
    for (; c < rowBytes; c += 4) store<f32>(to + c, load<f32>(row + c) * load<f32>(a + c) + load<f32>(b + c));
  }
}

/** out[r, c] = dy[r, c] k1[c] + x[r, c] k2[c] + k3[c] (the batch-norm input gradient, expanded). */
export function gradientOutput(
  dy: usize,
  x: usize,
  rows: i32,
  channels: i32,
  k1: usize,
  k2: usize,
  k3: usize,
  out: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const g = dy + offset;
    const row = x + offset;
    const to = out + offset;
    let c: usize = 0;
    for (; c < vectorEnd; c += 16) {
      const value = f32x4.add(
        f32x4.add(f32x4.mul(v128.load(g + c), v128.load(k1 + c)), f32x4.mul(v128.load(row + c), v128.load(k2 + c))),
        v128.load(k3 + c),
      );
      v128.store(to + c, value);
    }
    for (; c < rowBytes; c += 4) {
      store<f32>(to + c, load<f32>(g + c) * load<f32>(k1 + c) + load<f32>(row + c) * load<f32>(k2 + c) + load<f32>(k3 + c));
    }
  }
}
