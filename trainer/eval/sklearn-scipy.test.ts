import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../../shared/random.ts';
import { runPythonReference } from '../../test/reference/python.ts';
import { pearson, spearman } from './correlation.ts';
import { ami, nmi } from './mutual-info.ts';
import { averagePrecision, bestAccuracyThreshold, bestF1Threshold, rocAuc } from './pairs.ts';
import { recommendationMetrics } from './recommendation.ts';
import { studentTCentralProbability, studentTCritical } from './student-t.ts';

/**
 * Our metrics against scipy and scikit-learn themselves (Debian's python3-sklearn), on generated cases
 * chosen to stress the definitions: heavy ties (scores on a coarse grid), skewed classes, few and many
 * clusters, tiny samples.
 */
const SCRIPT = `
import json, sys
import numpy as np
from scipy import stats
from sklearn import metrics
import warnings
warnings.simplefilter("ignore")
cases = json.load(sys.stdin)
finite = lambda v: float(v) if np.isfinite(v) else None  # NaN where the reference leaves a case undefined
out = []
for case in cases:
    x, y, truth = np.array(case["x"]), np.array(case["y"]), np.array(case["truth"])
    fpr, tpr, _ = metrics.roc_curve(truth, x, drop_intermediate=False)
    positives, negatives = truth.sum(), len(truth) - truth.sum()
    precision, recall, _ = metrics.precision_recall_curve(truth, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    out.append({name: finite(value) for name, value in {
        "pearson": stats.pearsonr(x, y)[0],
        "spearman": stats.spearmanr(x, y)[0],
        "roc_auc": metrics.roc_auc_score(truth, x),
        "average_precision": metrics.average_precision_score(truth, x),
        "best_accuracy": ((tpr * positives + (1 - fpr) * negatives) / len(truth)).max(),
        "best_f1": f1.max(),
        "nmi": metrics.normalized_mutual_info_score(case["labels_a"], case["labels_b"]),
        "ami": metrics.adjusted_mutual_info_score(case["labels_a"], case["labels_b"]),
        "t_central": 2 * stats.t.cdf(case["t"], case["df"]) - 1,
        # scipy's t.ppf is itself only good to ~1e-9 (df 1, 0.75 gives 1.0000000000134), so the critical
        # value is checked through the cdf: the coverage our t really has.
        "t_critical": 2 * stats.t.cdf(case["our_critical"], case["df"]) - 1,
    }.items()})
json.dump(out, sys.stdout)
`;

interface Case {
  x: number[];
  y: number[];
  truth: number[];
  labels_a: number[];
  labels_b: number[];
  coverage: number;
  df: number;
  t: number;
  our_critical: number;
}

function generatedCases(count: number, seed: number): Case[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, c) => {
    const n = 3 + randomInt(random, c % 3 === 0 ? 12 : 300);
    const grid = [0.5, 0.1, 0.01, 1e-6][c % 4]; // coarse grids make many ties
    const snap = (v: number) => Math.round(v / grid) * grid;
    const positiveShare = 0.05 + 0.9 * random();
    const truth = Array.from({ length: n }, (_, i) => (i < 2 ? i : Number(random() < positiveShare)));
    const x = truth.map((t) => snap(random() + 0.6 * t * random()));
    const y = x.map((v) => snap(v * random() + random()));
    const clustersA = 1 + randomInt(random, c % 2 === 0 ? 3 : 20);
    const clustersB = 1 + randomInt(random, 12);
    const labels_a = Array.from({ length: n }, () => randomInt(random, clustersA));
    // Half the cases derive b from a, so the mutual information is far from zero as well as near it.
    const labels_b = labels_a.map((a) => (c % 2 === 0 && random() < 0.7 ? a : randomInt(random, clustersB)));
    const coverage = [0.5, 0.9, 0.95, 0.99][c % 4];
    const df = 1 + randomInt(random, 40);
    const t = 6 * random() ** 2;
    return { x, y, truth, labels_a, labels_b, coverage, df, t, our_critical: studentTCritical(coverage, df) };
  });
}

describe('evaluation metrics against scipy and scikit-learn', () => {
  const cases = generatedCases(120, 11);
  const reference = runPythonReference<Record<string, number | null>[]>(SCRIPT, cases);

  const ours: Record<string, (c: Case) => number> = {
    pearson: (c) => pearson(c.x, c.y),
    spearman: (c) => spearman(c.x, c.y),
    roc_auc: (c) => rocAuc(c.x, c.truth),
    average_precision: (c) => averagePrecision(c.x, c.truth),
    best_accuracy: (c) => bestAccuracyThreshold(c.x, c.truth).accuracy,
    best_f1: (c) => bestF1Threshold(c.x, c.truth).f1,
    nmi: (c) => nmi(c.labels_a, c.labels_b),
    ami: (c) => ami(c.labels_a, c.labels_b),
    t_central: (c) => studentTCentralProbability(c.t, c.df),
    t_critical: (c) => c.coverage,
  };

  for (const [metric, compute] of Object.entries(ours)) {
    it(`${metric} equals the reference on ${cases.length} generated cases`, () => {
      cases.forEach((c, i) => {
        const expected = reference[i][metric];
        if (expected === null) {
          // Undefined in the reference (a constant input): ours says so too, as NaN or an error.
          let value = Number.NaN;
          try {
            value = compute(c);
          } catch {}
          expect(value, `${metric}, case ${i}`).toBeNaN();
          return;
        }
        expect(compute(c), `${metric}, case ${i} (n ${c.x.length})`).toBeCloseTo(expected, 9);
      });
    });
  }
});

/** Recommendation metrics: NDCG from sklearn's ndcg_score, the others from their definitions in numpy. */
const RECOMMENDATION_SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import ndcg_score
task = json.load(sys.stdin)
n_items, ks = task["catalogueSize"], task["ks"]
totals, shown = {}, {k: set() for k in ks}
for user in task["users"]:
    scores = np.array(user["scores"])
    relevant = np.zeros(n_items)
    relevant[user["heldOut"]] = 1
    unseen = np.setdiff1d(np.arange(n_items), user["exclude"])
    order = unseen[np.argsort(-scores[unseen], kind="stable")]
    hits = relevant[order]
    totals["mrr"] = totals.get("mrr", 0) + 1 / (np.argmax(hits) + 1)
    for k in ks:
        shown[k].update(order[:k].tolist())
        found = hits[:k].sum()
        totals[f"hr_at_{k}"] = totals.get(f"hr_at_{k}", 0) + float(found > 0)
        totals[f"recall_at_{k}"] = totals.get(f"recall_at_{k}", 0) + found / hits.sum()
        totals[f"ndcg_at_{k}"] = totals.get(f"ndcg_at_{k}", 0) + ndcg_score([relevant[unseen]], [scores[unseen]], k=k)
result = {name: total / len(task["users"]) for name, total in totals.items()}
result.update({f"coverage_at_{k}": len(items) / n_items for k, items in shown.items()})
json.dump(result, sys.stdout)
`;

describe('recommendation metrics against scikit-learn', () => {
  it('hr, recall, ndcg and coverage at several K, and mrr, equal the reference over generated users', () => {
    const random = mulberry32(5);
    const catalogueSize = 150;
    const users = Array.from({ length: 80 }, () => {
      // Continuous scores: no ties, where sklearn's ndcg_score averages and we break by item id.
      const scores = Array.from({ length: catalogueSize }, () => random());
      const items = Array.from({ length: catalogueSize }, (_, i) => i).sort(() => random() - 0.5);
      const heldOut = items.slice(0, 1 + randomInt(random, 6));
      const exclude = items.slice(10, 10 + randomInt(random, 40));
      return { scores, heldOut, exclude };
    });
    const ks = [1, 5, 10, 50];
    const expected = runPythonReference<Record<string, number>>(RECOMMENDATION_SCRIPT, {
      catalogueSize,
      ks,
      users,
    });
    const { users: judged, scores } = recommendationMetrics({ users, catalogueSize, ks });
    expect(judged).toBe(users.length);
    expect(Object.keys(scores).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) expect(scores[name], name).toBeCloseTo(value, 12);
  });
});
