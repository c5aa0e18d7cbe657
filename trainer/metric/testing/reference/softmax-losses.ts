import {
  type DistanceSpec,
  logOnePlusSumExp,
  logSumExp,
  type Matrix,
  mean,
  normalized,
  refDistance,
} from './math.ts';

/** Brute-force references for the losses built on a softmax over similarities (pairs, proxies, classes). */

const crossEntropy = (logits: number[], target: number) => logSumExp(logits) - logits[target];
const transpose = (m: Matrix) => m[0].map((_, c) => m.map((row) => row[c]));

/** Sohn 2016 with PML's pair choice: per label (ascending) its first positive pair in row-major order. */
export function nPairsRef(x: { E: Matrix; labels: number[] }, o: { distance: DistanceSpec }) {
  const d = refDistance(o.distance);
  const pairs: [number, number][] = [];
  for (const label of [...new Set(x.labels)].sort((a, b) => a - b)) {
    search: for (let a = 0; a < x.E.length; a++) {
      for (let p = 0; p < x.E.length; p++) {
        if (a !== p && x.labels[a] === label && x.labels[p] === label) {
          pairs.push([a, p]);
          break search;
        }
      }
    }
  }
  const sign = d.inverted ? 1 : -1;
  return mean(
    pairs.map(([a], i) =>
      crossEntropy(
        pairs.map(([, p]) => sign * d.between(x.E[a], x.E[p])),
        i,
      ),
    ),
  );
}

export function mnrlRef(x: { E: Matrix; ref: Matrix }, o: { scale: number; symmetric: boolean }) {
  const d = refDistance({ name: 'cosine' });
  const n = x.E.length;
  const scores = x.E.map((q) => x.ref.map((r) => o.scale * d.between(q, r)));
  return mean(
    scores.map((row, i) => {
      const forward = crossEntropy(row, i);
      if (!o.symmetric) return forward;
      const column = scores.map((r) => r[i]);
      return (forward + crossEntropy(column.slice(0, n), i)) / 2;
    }),
  );
}

export function cosentRef(x: { E: Matrix; ref: Matrix; scores: number[] }, o: { scale: number }) {
  const d = refDistance({ name: 'cosine' });
  const s = x.E.map((q, i) => o.scale * d.between(q, x.ref[i]));
  const terms: number[] = [];
  s.forEach((si, i) =>
    s.forEach((sj, j) => {
      if (x.scores[i] < x.scores[j]) terms.push(si - sj);
    }),
  );
  return logOnePlusSumExp(terms);
}

export function proxyNcaRef(
  x: { E: Matrix; labels: number[]; proxies: Matrix },
  o: { softmax_scale: number; distance: DistanceSpec },
) {
  const d = refDistance(o.distance);
  const sign = d.inverted ? 1 : -1;
  return mean(
    x.E.map((e, i) =>
      crossEntropy(
        x.proxies.map((p) => sign * o.softmax_scale * d.between(e, p)),
        x.labels[i],
      ),
    ),
  );
}

/** Kim et al. 2020 eq. 4. */
export function proxyAnchorRef(
  x: { E: Matrix; labels: number[]; proxies: Matrix },
  o: { margin: number; alpha: number },
) {
  const d = refDistance({ name: 'cosine' });
  const withPositives = x.proxies.map((_, c) => x.labels.includes(c));
  let pos = 0;
  let neg = 0;
  x.proxies.forEach((proxy, c) => {
    const sims = x.E.map((e) => d.between(e, proxy));
    pos += logOnePlusSumExp(sims.filter((_, i) => x.labels[i] === c).map((s) => -o.alpha * (s - o.margin)));
    neg += logOnePlusSumExp(sims.filter((_, i) => x.labels[i] !== c).map((s) => o.alpha * (s + o.margin)));
  });
  return pos / withPositives.filter(Boolean).length + neg / x.proxies.length;
}

export function normalizedSoftmaxRef(
  x: { E: Matrix; labels: number[]; W: Matrix },
  o: { temperature: number },
) {
  const classes = transpose(x.W).map((w) => normalized(w, 2));
  const d = refDistance({ name: 'dot' });
  return mean(
    x.E.map((e, i) =>
      crossEntropy(
        classes.map((w) => d.between(e, w) / o.temperature),
        x.labels[i],
      ),
    ),
  );
}

/**
 * ArcFace (angle + margin, margin in degrees; cos θ - m·sin m past θ = π - m, as PML 2.x) or CosFace
 * (cosine - margin) on cosines to the columns of W.
 */
export function largeMarginRef(
  x: { E: Matrix; labels: number[]; W: Matrix },
  o: { kind: 'arcface' | 'cosface'; margin: number; scale: number },
) {
  const d = refDistance({ name: 'cosine' });
  const classes = transpose(x.W);
  return mean(
    x.E.map((e, i) => {
      const logits = classes.map((w, c) => {
        const cosine = d.between(e, w);
        if (c !== x.labels[i]) return o.scale * cosine;
        if (o.kind === 'cosface') return o.scale * (cosine - o.margin);
        const m = (o.margin * Math.PI) / 180;
        const angle = Math.acos(Math.min(1, Math.max(-1, cosine)));
        // PML keeps the target logit decreasing past θ = π - m.
        return o.scale * (angle <= Math.PI - m ? Math.cos(angle + m) : cosine - m * Math.sin(m));
      });
      return crossEntropy(logits, x.labels[i]);
    }),
  );
}
