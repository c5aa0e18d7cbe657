import { html, type SafeHtml } from './html.ts';
import type { NeighbourExample } from './neighbours.ts';
import type { ReportData } from './schema.ts';

type Metrics = Record<string, number | null>;

/** Three decimals for scores, counts (integers above 1) as they are, an undefined metric as a dash. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return Number.isInteger(value) && Math.abs(value) > 1 ? String(value) : value.toFixed(3);
}

export function classNameOf(data: ReportData, label: number): string {
  return data.classNames[String(label)] ?? String(label);
}

/** One row per metric: this model's overall value beside every baseline's. */
export function metricsTable(data: ReportData): SafeHtml {
  const columns: [string, Metrics][] = [
    ['this model', data.metrics.overall],
    ...data.baselines.map((b): [string, Metrics] => [b.name, b.metrics]),
  ];
  const names = [...new Set(columns.flatMap(([, metrics]) => Object.keys(metrics)))];
  return html`<table>
    <thead><tr><th>metric</th>${columns.map(([name]) => html`<th>${name}</th>`)}</tr></thead>
    <tbody>${names.map((name) => html`<tr><th>${name}</th>${columns.map(([, metrics]) => html`<td>${formatValue(metrics[name])}</td>`)}</tr>`)}</tbody>
  </table>`;
}

export function quantizationTable(data: ReportData): SafeHtml {
  const { quantization } = data;
  if (!quantization) return html`<p class="note">No fp32 / int8 comparison was recorded for this run.</p>`;
  const names = [...new Set([...Object.keys(quantization.fp32), ...Object.keys(quantization.int8)])];
  return html`<table>
    <thead><tr><th>metric</th><th>fp32</th><th>int8</th><th>int8 − fp32</th></tr></thead>
    <tbody>${names.map((name) => {
      const fp32 = quantization.fp32[name];
      const int8 = quantization.int8[name];
      const delta = typeof fp32 === 'number' && typeof int8 === 'number' ? int8 - fp32 : null;
      return html`<tr><th>${name}</th><td>${formatValue(fp32)}</td><td>${formatValue(int8)}</td><td>${formatValue(delta)}</td></tr>`;
    })}</tbody>
  </table>`;
}

/**
 * Classes from worst to best on the primary metric, with their sizes so that imbalance shows next to the
 * scores. The worst `worstClasses` are marked, but never more than a fifth of the classes (rounded up),
 * so that a mark always singles out a minority.
 */
export function perClassTable(data: ReportData): SafeHtml {
  const { perClass, primary } = data.metrics;
  if (perClass.length === 0)
    return html`<p class="note">No per-class metrics were recorded for this run.</p>`;
  const names = [...new Set(perClass.flatMap((c) => Object.keys(c.scores)))];
  const sizes = new Map<number, number>();
  for (const label of data.test.labels) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  const primaryOf = (c: (typeof perClass)[number]) => c.scores[primary] ?? Number.POSITIVE_INFINITY;
  const ranked = [...perClass].sort((a, b) => primaryOf(a) - primaryOf(b) || a.label - b.label);
  const worst = Math.min(data.options.worstClasses, Math.ceil(ranked.length / 5));
  const counts = [...sizes.values()];
  const marked = worst === 1 ? 'the worst class is marked' : `the ${worst} worst classes are marked`;
  return html`<p class="note">Sorted by ${primary}, worst first; ${marked}.
      Test items per class range from ${Math.min(...counts)} to ${Math.max(...counts)}.</p>
    <div class="wide"><table id="per-class">
      <thead><tr><th>class</th><th>test items</th><th>queries</th>${names.map((name) => html`<th>${name}</th>`)}</tr></thead>
      <tbody>${ranked.map(
        (c, rank) => html`<tr class="${rank < worst ? 'worst' : ''}">
          <th>${rank < worst ? html`<span class="badge">worst</span> ` : ''}${classNameOf(data, c.label)}</th>
          <td>${sizes.get(c.label) ?? 0}</td><td>${c.queries}</td>
          ${names.map((name) => html`<td>${formatValue(c.scores[name])}</td>`)}
        </tr>`,
      )}</tbody>
    </table></div>`;
}

/** One item as shown in examples: its thumbnail when there is one, and its text. */
function itemView(data: ReportData, item: number): SafeHtml {
  const thumbnail = data.test.thumbnails?.[item];
  return html`${thumbnail ? html`<img class="thumb" alt="" src="${thumbnail}">` : ''}<span class="text">${data.test.texts[item]}</span>`;
}

export function neighbourSection(data: ReportData, examples: NeighbourExample[]): SafeHtml {
  if (examples.length === 0) return html`<p class="note">No test items to show.</p>`;
  return html`${examples.map(
    (example) => html`<div class="example">
      <div class="query"><span class="class">${classNameOf(data, data.test.labels[example.query])}</span>${itemView(data, example.query)}</div>
      <ol>${example.neighbours.map(
        (n) => html`<li class="${n.sameClass ? 'hit' : 'miss'}">
          <span class="mark">${n.sameClass ? '✓' : '✗'}</span>
          <span class="class">${classNameOf(data, data.test.labels[n.item])}</span>
          ${itemView(data, n.item)}
          <span class="distance">${n.distance.toFixed(3)}</span>
        </li>`,
      )}</ol>
    </div>`,
  )}`;
}

/** The verification figures: the calibrated threshold and how it holds on test pairs, the EER, TAR at FAR. */
export function verificationSection(data: ReportData): SafeHtml {
  const v = data.verification;
  if (!v) return html``;
  const rows: [string, string][] = [
    [`threshold for FAR ${v.targetFar} (validation)`, v.calibration.threshold.toFixed(4)],
    [
      'test FAR / TAR at that threshold',
      `${v.test.atThreshold.far.toFixed(5)} / ${v.test.atThreshold.tar.toFixed(4)}`,
    ],
    [
      'test equal error rate (threshold)',
      `${v.test.eer.rate.toFixed(4)} (${v.test.eer.threshold.toFixed(4)})`,
    ],
    ...v.test.tarAtFar.map((t): [string, string] => [
      `test TAR at FAR ${t.targetFar} (threshold)`,
      `${t.tar.toFixed(4)} (${t.threshold.toFixed(4)})`,
    ]),
  ];
  return html`<section><h2>Verification</h2>
  <p class="note">Same or different, by score &gt;= threshold: ${v.calibratedOn}. Test pairs: ${v.test.genuine} same,
  ${v.test.impostors} different.</p>
  <table><tbody>${rows.map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`)}</tbody></table>
  <div class="charts"><div class="chart" id="chart-verification-scores"></div><div class="chart" id="chart-roc"></div></div>
</section>`;
}

/** Each regression query: what it should find, where that landed, pass or fail. */
export function queryChecksSection(data: ReportData): SafeHtml {
  const checks = data.queryChecks;
  if (!checks) return html``;
  const passed = checks.results.filter((r) => r.pass).length;
  return html`<section><h2>Query checks</h2>
  <p class="note">${passed} of ${checks.results.length} queries find the expected entry in the top ${checks.k}
  (${checks.source}), ranked by the served model over the whole catalogue.</p>
  <table><thead><tr><th>query</th><th>expected</th><th>rank</th><th></th></tr></thead>
  <tbody>${checks.results.map((r) => html`<tr><th>${r.query}</th><td>${r.expect}</td><td>${r.rank ?? 'absent'}</td><td>${r.pass ? 'pass' : 'FAIL'}</td></tr>`)}</tbody></table>
</section>`;
}
