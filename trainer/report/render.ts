import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ProgressReporter } from '../train/progress.ts';
import { html, jsonForScript, SafeHtml } from './html.ts';
import { type EmbeddingMaps, embeddingMaps } from './maps.ts';
import { neighbourExamples } from './neighbours.ts';
import { parseReportData, type ReportData, type ReportDataInput } from './schema.ts';
import {
  classNameOf,
  metricsTable,
  neighbourSection,
  perClassTable,
  quantizationTable,
  queryChecksSection,
  verificationSection,
} from './sections.ts';
import { STYLE } from './style.ts';

const ECHARTS_PATH = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const CLIENT_PATH = new URL('./client.js', import.meta.url);
/** Tooltip texts are cut here: the map is for looking, the neighbour examples show texts in full. */
const TOOLTIP_CHARS = 300;

/**
 * The run report as one self-contained HTML page: no network at all (the Content-Security-Policy allows
 * only the page's own two scripts, by hash, and data: images). It computes the t-SNE and UMAP maps and
 * the neighbour examples from the test embeddings, so rendering takes seconds to tens of seconds for
 * thousands of test items.
 */
export function renderReport(input: ReportDataInput, progress?: Pick<ProgressReporter, 'log'>): string {
  const data = parseReportData(input);
  const { options } = data;
  const maps = embeddingMaps(data.test.embeddings, options.maxMapPoints, options.seed, progress);
  const examples = neighbourExamples(data.test.embeddings, data.test.labels, {
    count: options.neighbourExamples,
    perQuery: options.neighboursPerExample,
    distance: options.distance,
    seed: options.seed,
  });
  const scripts = [readInlineScript(ECHARTS_PATH), readInlineScript(CLIENT_PATH)];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'", // ECharts styles its own elements
    'img-src data:',
  ].join('; ');

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${data.title} — ${data.runId}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header>
  <h1>${data.title}</h1>
  <p class="note">Run <code>${data.runId}</code>${data.createdAt ? html`, ${data.createdAt}` : ''}</p>
</header>
<section><h2>Metrics</h2>${metricsTable(data)}</section>
<section><h2>fp32 vs int8</h2>${quantizationTable(data)}</section>
<section><h2>Training</h2>
  <div class="charts"><div class="chart" id="chart-loss"></div>${
    Object.keys(data.curves.validation).length > 0
      ? html`<div class="chart" id="chart-validation"></div>`
      : ''
  }</div>
</section>
<section><h2>Test embeddings</h2>
  <p class="note">${mapNote(maps)} Colour is the class.</p>
  <div class="charts"><div class="map" id="map-tsne"></div><div class="map" id="map-umap"></div></div>
</section>
<section><h2>Nearest neighbours</h2>
  <p class="note">Queries from different classes with their ${options.neighboursPerExample} nearest other test items
  by ${options.distance} distance; ✓ marks the same class.</p>
  ${neighbourSection(data, examples)}
</section>
${verificationSection(data)}
${queryChecksSection(data)}
<section><h2>Per class</h2>${perClassTable(data)}</section>
<section><h2>Configuration</h2><pre>${JSON.stringify(data.config, null, 2)}</pre></section>
<script id="report-data" type="application/json">${new SafeHtml(jsonForScript(clientData(data, maps)))}</script>
${scripts.map((s) => html`<script>${new SafeHtml(s)}</script>`)}
</body>
</html>
`.value;
}

function mapNote(maps: EmbeddingMaps): string {
  return maps.items.length < maps.total
    ? `These maps show a seeded random sample of ${maps.items.length} of the ${maps.total} test items.`
    : `These maps show all ${maps.total} test items.`;
}

/** What the page script needs: map coordinates with each point's class and text, and the curves. */
function clientData(data: ReportData, maps: EmbeddingMaps) {
  const labels = Array.from(maps.items, (item) => data.test.labels[item]);
  const pairs = (xy: Float64Array) =>
    Array.from(maps.items, (_, i) => [round(xy[2 * i]), round(xy[2 * i + 1])]);
  const curve = (points: { step: number; value: number | null }[]) => points.map((p) => [p.step, p.value]);
  return {
    classes: [...new Set(data.test.labels)]
      .sort((a, b) => a - b)
      .map((label) => ({ label, name: classNameOf(data, label) })),
    maps: {
      labels,
      texts: Array.from(maps.items, (item) => data.test.texts[item].slice(0, TOOLTIP_CHARS)),
      tsne: pairs(maps.tsne),
      umap: pairs(maps.umap),
    },
    verification: data.verification && {
      histograms: data.verification.histograms,
      roc: data.verification.roc.map((p) => [p.far, p.tar]),
    },
    curves: {
      loss: curve(data.curves.loss),
      validation: Object.fromEntries(
        Object.entries(data.curves.validation).map(([name, points]) => [name, curve(points)]),
      ),
    },
  };
}

/** Map coordinates need no more than 4 decimals; it keeps the page small. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** A script's source, checked to be safe inside <script>...</script> (nothing can end the element early). */
function readInlineScript(path: string | URL): string {
  const source = readFileSync(path, 'utf8');
  if (/<\/script|<!--/i.test(source))
    throw new Error(`${String(path)} cannot be inlined: it contains </script or <!--`);
  return source;
}
