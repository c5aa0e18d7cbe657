// Exact top-k scans over rows in the host's memory (AssemblyScript, built to ../scan.wasm by
// `npm run build:wasm-scan`; the host imports the memory and lays everything out in it). Rows are `stride`
// values long, stride a multiple of 16, zero-padded past the vector's dimension. Scores are dot products
// of unit vectors (cosine similarities). A top-k heap is a min-heap of (score, row) pairs at `heapScores`
// (f32) and `heapRows` (i32), the worst pair on top; a lower score is worse and, between equal scores,
// the higher row, so ties go to the lower row whatever the scan order. A `bitmap` of 0 takes every row;
// otherwise row r is scanned only when bit (r & 7) of byte bitmap + (r >> 3) is set. Rows whose score is
// NaN are never returned.

@inline
function worse(scoreA: f32, rowA: i32, scoreB: f32, rowB: i32): bool {
  return scoreA < scoreB || (scoreA == scoreB && rowA > rowB);
}

@inline
function scoreAt(heapScores: usize, i: i32): f32 {
  return load<f32>(heapScores + (<usize>i << 2));
}

@inline
function rowAt(heapRows: usize, i: i32): i32 {
  return load<i32>(heapRows + (<usize>i << 2));
}

@inline
function put(heapScores: usize, heapRows: usize, i: i32, score: f32, row: i32): void {
  store<f32>(heapScores + (<usize>i << 2), score);
  store<i32>(heapRows + (<usize>i << 2), row);
}

/** Pushes (score, row) onto a heap of `size` pairs; returns the new size. */
function heapPush(heapScores: usize, heapRows: usize, size: i32, score: f32, row: i32): i32 {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const parentScore = scoreAt(heapScores, parent);
    const parentRow = rowAt(heapRows, parent);
    if (!worse(score, row, parentScore, parentRow)) break;
    put(heapScores, heapRows, i, parentScore, parentRow);
    i = parent;
  }
  put(heapScores, heapRows, i, score, row);
  return size + 1;
}

/** Puts (score, row) in the top slot of a heap of `size` pairs and moves it down to its place. */
function heapSiftDown(heapScores: usize, heapRows: usize, size: i32, score: f32, row: i32): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (
      child + 1 < size &&
      worse(
        scoreAt(heapScores, child + 1),
        rowAt(heapRows, child + 1),
        scoreAt(heapScores, child),
        rowAt(heapRows, child),
      )
    )
      child++;
    const childScore = scoreAt(heapScores, child);
    const childRow = rowAt(heapRows, child);
    if (!worse(childScore, childRow, score, row)) break;
    put(heapScores, heapRows, i, childScore, childRow);
    i = child;
  }
  put(heapScores, heapRows, i, score, row);
}

/** Offers (score, row) to a heap of `size` pairs holding at most `k`; returns the new size. */
function offer(heapScores: usize, heapRows: usize, size: i32, k: i32, score: f32, row: i32): i32 {
  if (score != score) return size;
  if (size < k) return heapPush(heapScores, heapRows, size, score, row);
  if (worse(scoreAt(heapScores, 0), rowAt(heapRows, 0), score, row))
    heapSiftDown(heapScores, heapRows, size, score, row);
  return size;
}

@inline
function selected(bitmap: usize, row: i32): bool {
  return bitmap == 0 || ((load<u8>(bitmap + (<usize>row >> 3)) >> (<u32>row & 7)) & 1) != 0;
}

/** The sum of a vector's four float32 lanes. */
@inline
function laneSum(sum: v128): f32 {
  return (
    f32x4.extract_lane(sum, 0) +
    f32x4.extract_lane(sum, 1) +
    (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3))
  );
}

/** The float32 dot product of the query and one row, 16 values a step in four accumulators. */
@inline
function dotF32(query: usize, row: usize, stride: i32): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  const end = row + (<usize>stride << 2);
  let q = query;
  for (let p = row; p < end; p += 64, q += 64) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(q), v128.load(p)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(q, 16), v128.load(p, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(q, 32), v128.load(p, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(q, 48), v128.load(p, 48)));
  }
  return laneSum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
}

/** The top k of `rows` float32 rows at `vectors` against the query at `query`; returns the heap's size. */
export function scanF32(
  query: usize,
  vectors: usize,
  rows: i32,
  stride: i32,
  bitmap: usize,
  k: i32,
  heapScores: usize,
  heapRows: usize,
): i32 {
  let size = 0;
  const rowBytes = <usize>stride << 2;
  for (let r = 0; r < rows; r++) {
    if (!selected(bitmap, r)) continue;
    const score = dotF32(query, vectors + <usize>r * rowBytes, stride);
    if (size < k || worse(scoreAt(heapScores, 0), rowAt(heapRows, 0), score, r))
      size = offer(heapScores, heapRows, size, k, score, r);
  }
  return size;
}

/** The top k of the listed rows (`count` i32 row numbers at `ids`) by their float32 scores. */
export function rescoreF32(
  query: usize,
  vectors: usize,
  stride: i32,
  ids: usize,
  count: i32,
  k: i32,
  heapScores: usize,
  heapRows: usize,
): i32 {
  let size = 0;
  const rowBytes = <usize>stride << 2;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(ids + (<usize>i << 2));
    size = offer(heapScores, heapRows, size, k, dotF32(query, vectors + <usize>r * rowBytes, stride), r);
  }
  return size;
}

/** The int32 dot product of the query's codes (widened to int16 at `query16`) and one row's int8 codes. */
@inline
function dotI8(query16: usize, row: usize, stride: i32): i32 {
  let a0 = i32x4.splat(0);
  let a1 = i32x4.splat(0);
  const end = row + <usize>stride;
  let q = query16;
  for (let p = row; p < end; p += 16, q += 32) {
    const codes = v128.load(p);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(q), i16x8.extend_low_i8x16_s(codes)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(q, 16), i16x8.extend_high_i8x16_s(codes)));
  }
  const sum = i32x4.add(a0, a1);
  return (
    i32x4.extract_lane(sum, 0) +
    i32x4.extract_lane(sum, 1) +
    (i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3))
  );
}

/** The int8 score and its error bound for one row (see candidatesI8). */
@inline
function approxI8(query16: usize, queryStep: f32, codes: usize, scale: f32, stride: i32): f32 {
  return <f32>dotI8(query16, codes, stride) * queryStep * scale;
}

@inline
function boundI8(root: f32, queryStep: f32, scale: f32): f32 {
  // 1e-5: slack for the float rounding of the score and of the bound itself.
  return root * ((queryStep / 2) * (1 + (root * scale) / 2) + scale / 2) + 1e-5;
}

/**
 * The rows that can be in the exact top k, from int8 codes: row r's codes at codes + r * stride, its
 * scale (max |x| / 127) at scales + 4r; the query's codes widened to int16 at `query16`, their scale
 * `queryStep`. The int8 score a(r) is within e(r) = sqrt(stride) * (queryStep / 2 * (1 + sqrt(stride) *
 * s_r / 2) + s_r / 2) of the unit vectors' dot product (Cauchy-Schwarz on each side's rounding), so a row
 * can be in the top k only if a(r) + e(r) reaches the k-th largest a - e: those rows are written as i32
 * to `ids` (room for every selected row), ascending, and their number returned. The heap (k pairs) holds
 * the lower bounds. Re-score them (rescoreF32, or the caller's own scorer) for the exact top k.
 */
export function candidatesI8(
  query16: usize,
  queryStep: f32,
  codes: usize,
  scales: usize,
  rows: i32,
  stride: i32,
  bitmap: usize,
  k: i32,
  heapScores: usize,
  heapRows: usize,
  ids: usize,
): i32 {
  const root = Mathf.sqrt(<f32>stride);
  let size = 0;
  let count = 0;
  let threshold = -Infinity;
  for (let r = 0; r < rows; r++) {
    if (!selected(bitmap, r)) continue;
    const scale = load<f32>(scales + (<usize>r << 2));
    const approx = approxI8(query16, queryStep, codes + <usize>r * <usize>stride, scale, stride);
    const bound = boundI8(root, queryStep, scale);
    if (approx + bound < threshold) continue;
    store<i32>(ids + (<usize>count << 2), r);
    count++;
    size = offer(heapScores, heapRows, size, k, approx - bound, r);
    if (size == k) threshold = scoreAt(heapScores, 0);
  }
  // The threshold only rose during the scan: drop the rows that passed an earlier, lower one (few; their
  // scores are recomputed rather than kept for every row).
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(ids + (<usize>i << 2));
    const scale = load<f32>(scales + (<usize>r << 2));
    const approx = approxI8(query16, queryStep, codes + <usize>r * <usize>stride, scale, stride);
    if (approx + boundI8(root, queryStep, scale) < threshold) continue;
    store<i32>(ids + (<usize>kept << 2), r);
    kept++;
  }
  return kept;
}

/** The sum of `count` float32 at `values` (count a multiple of 16): a plain sequential read of them. */
export function sumF32(values: usize, count: i32): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  const end = values + (<usize>count << 2);
  for (let p = values; p < end; p += 64) {
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, 16));
    a2 = f32x4.add(a2, v128.load(p, 32));
    a3 = f32x4.add(a3, v128.load(p, 48));
  }
  return laneSum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
}

/**
 * Best-first search of an HNSW graph's layer 0 (Malkov and Yashunin, 2018, algorithm 2) on int8 codes, as
 * candidatesI8 lays them out: node n's `degree` neighbours are i32 at links + 4 * n * degree, padded with
 * -1. `visited` holds a u32 per node; a node is visited when it holds `epoch` (the host picks a fresh
 * epoch per search). Candidates are a min-heap on negated scores at candKeys/candRows (room for every
 * node), the `ef` best found so far a min-heap on scores at foundScores/foundRows, which it leaves there;
 * returns their number. Each expansion first reads both cache lines of every unvisited neighbour's codes,
 * so the cache misses overlap, then scores them. `batch` holds room for `degree` i32.
 */
export function walkI8(
  query16: usize,
  queryStep: f32,
  codes: usize,
  scales: usize,
  stride: i32,
  links: usize,
  degree: i32,
  entry: i32,
  ef: i32,
  visited: usize,
  epoch: u32,
  candKeys: usize,
  candRows: usize,
  foundScores: usize,
  foundRows: usize,
  batch: usize,
): i32 {
  const rowBytes = <usize>stride;
  const first =
    <f32>dotI8(query16, codes + <usize>entry * rowBytes, stride) *
    queryStep *
    load<f32>(scales + (<usize>entry << 2));
  store<u32>(visited + (<usize>entry << 2), epoch);
  let candidates = heapPush(candKeys, candRows, 0, -first, entry);
  let found = heapPush(foundScores, foundRows, 0, first, entry);
  let sink: i32 = 0;
  while (candidates > 0) {
    const score = -scoreAt(candKeys, 0);
    // Every candidate left is worse than the worst kept: nothing nearer can be reached.
    if (found >= ef && score < scoreAt(foundScores, 0)) break;
    const node = rowAt(candRows, 0);
    candidates--;
    if (candidates > 0)
      heapSiftDown(candKeys, candRows, candidates, scoreAt(candKeys, candidates), rowAt(candRows, candidates));
    const base = links + ((<usize>node * <usize>degree) << 2);
    let count = 0;
    for (let i = 0; i < degree; i++) {
      const next = load<i32>(base + (<usize>i << 2));
      if (next < 0) break;
      const mark = visited + (<usize>next << 2);
      if (load<u32>(mark) == epoch) continue;
      store<u32>(mark, epoch);
      store<i32>(batch + (<usize>count << 2), next);
      const row = codes + <usize>next * rowBytes;
      sink += <i32>load<u8>(row) + <i32>load<u8>(row + rowBytes - 1);
      count++;
    }
    for (let i = 0; i < count; i++) {
      const next = load<i32>(batch + (<usize>i << 2));
      const nextScore =
        <f32>dotI8(query16, codes + <usize>next * rowBytes, stride) *
        queryStep *
        load<f32>(scales + (<usize>next << 2));
      if (found < ef) {
        candidates = heapPush(candKeys, candRows, candidates, -nextScore, next);
        found = heapPush(foundScores, foundRows, found, nextScore, next);
      } else if (nextScore > scoreAt(foundScores, 0)) {
        candidates = heapPush(candKeys, candRows, candidates, -nextScore, next);
        heapSiftDown(foundScores, foundRows, found, nextScore, next);
      }
    }
  }
  // Keeps the touching loads: written where the batch was, which the host ignores.
  store<i32>(batch, sink);
  return found;
}
