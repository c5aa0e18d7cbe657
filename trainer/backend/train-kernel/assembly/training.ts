// Training kernels over float32 NHWC tensors in the host's memory (AssemblyScript, built to
// ../training.wasm by `npm run build:wasm-train`; the host imports tfjs-backend-wasm's memory, so the
// kernels read and write tensors where they are). Pointers are byte offsets; 4 channels per instruction.
// Batch normalisation passes see a tensor as [rows, channels]: per-channel sums are float32 over blocks
// of BLOCK_ROWS rows, added into float64 totals, so no float32 sum runs over more than BLOCK_ROWS terms.

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
 * (the batch-norm gradient's two sums). With `relu`, the normalisation was followed by a ReLU whose
 * gradient is folded in: dy counts only where x a + b > 0 (a, b: the forward pass's scale and shift).
 */
export function gradientSums(
  dy: usize,
  x: usize,
  rows: i32,
  channels: i32,
  mean: usize,
  a: usize,
  b: usize,
  relu: bool,
  dyBlock: usize,
  centeredBlock: usize,
  dyTotals: usize,
  centeredTotals: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  const zeros = f32x4.splat(0);
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
        const value = v128.load(row + c);
        let grad = v128.load(g + c);
        if (relu) {
          const y = f32x4.add(f32x4.mul(value, v128.load(a + c)), v128.load(b + c));
          grad = v128.bitselect(grad, zeros, f32x4.gt(y, zeros));
        }
        v128.store(dyBlock + c, f32x4.add(v128.load(dyBlock + c), grad));
        const d = f32x4.sub(value, v128.load(mean + c));
        v128.store(centeredBlock + c, f32x4.add(v128.load(centeredBlock + c), f32x4.mul(grad, d)));
      }
      for (; c < rowBytes; c += 4) {
        const value = load<f32>(row + c);
        let grad = load<f32>(g + c);
        if (relu && !(value * load<f32>(a + c) + load<f32>(b + c) > 0)) grad = 0;
        store<f32>(dyBlock + c, load<f32>(dyBlock + c) + grad);
        store<f32>(centeredBlock + c, load<f32>(centeredBlock + c) + grad * (value - load<f32>(mean + c)));
      }
    }
    addBlock(dyTotals, dyBlock, channels);
    addBlock(centeredTotals, centeredBlock, channels);
  }
}

/** out[r, c] = x[r, c] a[c] + b[c]; with `relu`, max(0, that) (NaN stays NaN). */
export function scaleShift(x: usize, rows: i32, channels: i32, a: usize, b: usize, relu: bool, out: usize): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  const zeros = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const row = x + offset;
    const to = out + offset;
    let c: usize = 0;
    for (; c < vectorEnd; c += 16) {
      const y = f32x4.add(f32x4.mul(v128.load(row + c), v128.load(a + c)), v128.load(b + c));
      // max(0, NaN) must stay NaN: keep y where it is not below 0.
      v128.store(to + c, relu ? v128.bitselect(zeros, y, f32x4.lt(y, zeros)) : y);
    }
    for (; c < rowBytes; c += 4) {
      const y = load<f32>(row + c) * load<f32>(a + c) + load<f32>(b + c);
      store<f32>(to + c, relu && y < 0 ? 0 : y);
    }
  }
}

/**
 * out[r, c] = dy[r, c] k1[c] + x[r, c] k2[c] + k3[c] (the batch-norm input gradient, expanded); with
 * `relu`, dy counts only where x a + b > 0, as in gradientSums.
 */
export function gradientOutput(
  dy: usize,
  x: usize,
  rows: i32,
  channels: i32,
  a: usize,
  b: usize,
  relu: bool,
  k1: usize,
  k2: usize,
  k3: usize,
  out: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const vectorEnd = <usize>(channels & ~3) << 2;
  const zeros = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const g = dy + offset;
    const row = x + offset;
    const to = out + offset;
    let c: usize = 0;
    for (; c < vectorEnd; c += 16) {
      const value = v128.load(row + c);
      let grad = v128.load(g + c);
      if (relu) {
        const y = f32x4.add(f32x4.mul(value, v128.load(a + c)), v128.load(b + c));
        grad = v128.bitselect(grad, zeros, f32x4.gt(y, zeros));
      }
      const result = f32x4.add(
        f32x4.add(f32x4.mul(grad, v128.load(k1 + c)), f32x4.mul(value, v128.load(k2 + c))),
        v128.load(k3 + c),
      );
      v128.store(to + c, result);
    }
    for (; c < rowBytes; c += 4) {
      const value = load<f32>(row + c);
      let grad = load<f32>(g + c);
      if (relu && !(value * load<f32>(a + c) + load<f32>(b + c) > 0)) grad = 0;
      store<f32>(to + c, grad * load<f32>(k1 + c) + value * load<f32>(k2 + c) + load<f32>(k3 + c));
    }
  }
}

/**
 * The gradient of a 2x2 max pool with stride 2 whose windows lie inside the input ([batch, height, width,
 * channels], channels a multiple of 4): each window's dy goes to its first strict maximum in row-major
 * order (none when every value is NaN), written without branches; the other three cells get 0. Rows and
 * columns past the last window are left as they are (the host zeroes dx first).
 */
export function maxPoolGrad2x2(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>width * pixelBytes;
  let g = dy;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const top = ((<usize>b * <usize>height + <usize>(2 * oy)) * <usize>width + <usize>(2 * ox)) * pixelBytes;
        for (let c: usize = 0; c < pixelBytes; c += 16, g += 16) {
          const p00 = top + c;
          const p01 = p00 + pixelBytes;
          const p10 = p00 + rowBytes;
          const p11 = p10 + pixelBytes;
          const v00 = v128.load(x + p00);
          const v01 = v128.load(x + p01);
          const v10 = v128.load(x + p10);
          const v11 = v128.load(x + p11);
          // Each lane's winner as a mask per cell: a later cell wins only if strictly greater.
          const w00 = f32x4.gt(v00, f32x4.splat(-Infinity));
          let best = v128.bitselect(v00, f32x4.splat(-Infinity), w00);
          const w01 = f32x4.gt(v01, best);
          best = v128.bitselect(v01, best, w01);
          const w10 = f32x4.gt(v10, best);
          best = v128.bitselect(v10, best, w10);
          const w11 = f32x4.gt(v11, best);
          const grad = v128.load(g);
          const zero = f32x4.splat(0);
          // A cell keeps the gradient if it won and no later cell beat it.
          const k10 = v128.andnot(w10, w11);
          const k01 = v128.andnot(v128.andnot(w01, w10), w11);
          const k00 = v128.andnot(v128.andnot(v128.andnot(w00, w01), w10), w11);
          v128.store(dx + p00, v128.bitselect(grad, zero, k00));
          v128.store(dx + p01, v128.bitselect(grad, zero, k01));
          v128.store(dx + p10, v128.bitselect(grad, zero, k10));
          v128.store(dx + p11, v128.bitselect(grad, zero, w11));
        }
      }
    }
  }
}

/** Stores the transpose of the 4x4 tile whose rows are p0..p3: four rows of 4, `stride` bytes apart from `to`. */
@inline
function storeTransposedTile(p0: v128, p1: v128, p2: v128, p3: v128, to: usize, stride: usize): void {
  const low01 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5);
  const low23 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
  const high01 = v128.shuffle<f32>(p0, p1, 2, 6, 3, 7);
  const high23 = v128.shuffle<f32>(p2, p3, 2, 6, 3, 7);
  v128.store(to, v128.shuffle<f32>(low01, low23, 0, 1, 4, 5));
  v128.store(to + stride, v128.shuffle<f32>(low01, low23, 2, 3, 6, 7));
  v128.store(to + 2 * stride, v128.shuffle<f32>(high01, high23, 0, 1, 4, 5));
  v128.store(to + 3 * stride, v128.shuffle<f32>(high01, high23, 2, 3, 6, 7));
}

/**
 * The transposed patch matrix of a convolution's filter gradient, for `images` images of x ([batch, inHeight,
 * inWidth, channels]) from `first`: cols[(tap * channels + c) * rows + r] = x[b, oy * sh + ky - padTop,
 * ox * sw + kx - padLeft, c] with tap = ky * kw + kx and r = ((b - first) * outHeight + oy) * outWidth + ox;
 * 0 where the tap falls outside the image. Every cell is written (the host does not zero cols). Each pass
 * fills 4 rows of cols (one tap, 4 channels) left to right: four pixels' 4 channels are loaded and
 * transposed in registers, so the writes stream and the reads stay within the images' few hundred KB.
 */
export function patchesTransposed(
  x: usize,
  cols: usize,
  first: i32,
  images: i32,
  inHeight: i32,
  inWidth: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kh: i32,
  kw: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const rows = <usize>images * <usize>outHeight * <usize>outWidth;
  const rowBytes = rows << 2;
  const pixelBytes = <usize>channels << 2;
  const stepBytes = <usize>strideWidth * pixelBytes;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // Output columns whose input column lies inside the image: [ox0, ox1) (integer ceil and floor).
      const ox0 = min(outWidth, max(0, (padLeft - kx + strideWidth - 1) / strideWidth));
      const last = inWidth - 1 - kx + padLeft;
      const ox1 = last < 0 ? ox0 : max(ox0, min(outWidth, last / strideWidth + 1));
      const tapRows = cols + <usize>((ky * kw + kx) * channels) * rowBytes;
      // Four channels at a time, then one at a time for the rest.
      for (let c = 0, lanes = 4; c < channels; c += lanes) {
        lanes = c + 4 <= channels ? 4 : 1;
        let to = tapRows + <usize>c * rowBytes;
        for (let b = first; b < first + images; b++) {
          for (let oy = 0; oy < outHeight; oy++, to += <usize>outWidth << 2) {
            const iy = oy * strideHeight + ky - padTop;
            const inside = iy >= 0 && iy < inHeight;
            const left = inside ? ox0 : outWidth;
            const right = inside ? ox1 : outWidth;
            for (let lane = 0; lane < lanes; lane++) {
              const row = to + <usize>lane * rowBytes;
              memory.fill(row, 0, <usize>left << 2);
              memory.fill(row + (<usize>right << 2), 0, <usize>(outWidth - right) << 2);
            }
            if (!inside) continue;
            let from =
              x +
              ((<usize>b * <usize>inHeight + <usize>iy) * <usize>inWidth +
                <usize>(ox0 * strideWidth + kx - padLeft)) *
                pixelBytes +
              (<usize>c << 2);
            let ox = ox0;
            if (lanes === 4) {
              for (; ox + 4 <= ox1; ox += 4, from += stepBytes << 2) {
                storeTransposedTile(
                  v128.load(from),
                  v128.load(from + stepBytes),
                  v128.load(from + 2 * stepBytes),
                  v128.load(from + 3 * stepBytes),
                  to + (<usize>ox << 2),
                  rowBytes,
                );
              }
            }
            for (; ox < ox1; ox++, from += stepBytes) {
              const at = to + (<usize>ox << 2);
              for (let lane = 0; lane < lanes; lane++) {
                store<f32>(at + <usize>lane * rowBytes, load<f32>(from + (<usize>lane << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * out = the transpose of each of `count` row-major [rows, cols] matrices in x (out: [cols, rows] each), in
 * 4x4 tiles transposed in registers; the edges that do not fill a tile go one value at a time.
 */
export function transposeMatrices(x: usize, count: i32, rows: i32, cols: i32, out: usize): void {
  const matrixBytes = <usize>rows * <usize>cols << 2;
  const rowBytes = <usize>cols << 2;
  const outRowBytes = <usize>rows << 2;
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let m = 0; m < count; m++, x += matrixBytes, out += matrixBytes) {
    for (let r = 0; r < rows4; r += 4) {
      const from = x + <usize>r * rowBytes;
      const to = out + (<usize>r << 2);
      for (let c = 0; c < cols4; c += 4) {
        const a = from + (<usize>c << 2);
        storeTransposedTile(
          v128.load(a),
          v128.load(a + rowBytes),
          v128.load(a + 2 * rowBytes),
          v128.load(a + 3 * rowBytes),
          to + <usize>c * outRowBytes,
          outRowBytes,
        );
      }
    }
    // The last rows % 4 rows (all columns) and the last cols % 4 columns of the tiled rows.
    for (let r = 0; r < rows; r++) {
      for (let c = r < rows4 ? cols4 : 0; c < cols; c++) {
        store<f32>(out + <usize>c * outRowBytes + (<usize>r << 2), load<f32>(x + <usize>r * rowBytes + (<usize>c << 2)));
      }
    }
  }
}
