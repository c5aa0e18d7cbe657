import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from './render.ts';
import { parseReportData, reportDataToJson } from './schema.ts';
import { HOSTILE_TEXTS, syntheticReportData } from './test-fixture.ts';
import { writeReport } from './write.ts';

const input = syntheticReportData();
const page = renderReport(input);

/** The JSON the page script reads. */
function pageData(html: string) {
  const json = html.match(/<script id="report-data" type="application\/json">(.*?)<\/script>/s)?.[1];
  return JSON.parse(json ?? 'null');
}

describe('renderReport', () => {
  it('shows the verification figures, and its text as text', () => {
    const verification = input.verification!;
    expect(page).toContain('<h2>Verification</h2>');
    expect(page).toContain(verification.test.eer.rate.toFixed(4));
    expect(page).toContain(`test TAR at FAR 0.001 (threshold)`);
    expect(page).toContain('random &lt;vectors&gt; as validation pairs');
    expect(pageData(page).verification.roc).toHaveLength(verification.roc.length);
    expect(renderReport({ ...input, verification: undefined })).not.toContain('<h2>Verification</h2>');
  });

  it('shows each query check with its rank, pass or fail, its text as text', () => {
    const queryChecks = {
      k: 5,
      source: 'configs/catalogue-queries.json',
      results: [
        { query: 'a young <cat>', expect: 'kitten', rank: 2, pass: true },
        { query: 'a domestic animal that barks', expect: 'dog', rank: 36, pass: false },
        { query: 'frozen water', expect: 'nothing', rank: null, pass: false },
      ],
    };
    const checked = renderReport({ ...input, queryChecks });
    expect(checked).toContain('1 of 3 queries find the expected entry in the top 5');
    expect(checked).toContain('<tr><th>a young &lt;cat&gt;</th><td>kitten</td><td>2</td><td>pass</td></tr>');
    expect(checked).toContain('<td>dog</td><td>36</td><td>FAIL</td>');
    expect(checked).toContain('<td>nothing</td><td>absent</td><td>FAIL</td>');
    expect(page).not.toContain('<h2>Query checks</h2>');
  });

  it('never emits user text as markup', () => {
    for (const text of [...HOSTILE_TEXTS, '<script>alert(1)</script>', '<b>bold</b>', '<blobs>']) {
      expect(page).not.toContain(text);
    }
    expect(page).toContain('&lt;b&gt;bold&lt;/b&gt;'); // a class name, shown as text
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;'); // from the config
  });

  it('allows exactly its own inline scripts, by hash, and no network', () => {
    const csp = page
      .match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1]
      .replaceAll('&#39;', "'");
    expect(csp).toMatch(/default-src 'none'/);
    const scripts = [...page.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]);
    expect(scripts).toHaveLength(2); // ECharts and the page script
    for (const script of scripts) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    }
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('maps every test item when there are few, with its class', () => {
    const data = pageData(page);
    const labels = Array.from(input.test.labels as Int32Array);
    expect(data.maps.labels).toEqual(labels);
    expect(data.maps.tsne).toHaveLength(labels.length);
    expect(data.maps.umap).toHaveLength(labels.length);
    expect(page).toContain(`These maps show all ${labels.length} test items.`);
  });

  it('maps a seeded sample above maxMapPoints, and says so', () => {
    const sampled = renderReport({ ...input, options: { maxMapPoints: 25 } });
    const data = pageData(sampled);
    expect(data.maps.tsne).toHaveLength(25);
    expect(sampled).toContain('a seeded random sample of 25 of the 70 test items');
  });

  it('marks the worst classes in the per-class table', () => {
    const perClass = page.slice(page.indexOf('<table id="per-class">'));
    const worstRows = perClass.match(/<tr class="worst">/g) ?? [];
    expect(worstRows).toHaveLength(1); // 5 classes: at most a fifth are marked
    const data = parseReportData(input);
    const worst = [...data.metrics.perClass].sort(
      (a, b) => (a.scores.mean_average_precision_at_r ?? 0) - (b.scores.mean_average_precision_at_r ?? 0),
    )[0];
    expect(perClass).toMatch(
      new RegExp(`<tr class="worst">\\s*<th><span class="badge">worst</span> class ${worst.label}<`),
    );
  });

  it('renders the same page from its JSON form (what `dml-edge report <run>` reads back)', () => {
    const roundTripped = renderReport(parseReportData(JSON.parse(reportDataToJson(input))));
    expect(roundTripped).toBe(page);
  });

  it('reports invalid data with the path of each problem', () => {
    const broken = { ...input, test: { ...input.test, texts: ['only one'] }, config: { ok: true } };
    expect(() => renderReport(broken)).toThrow(/test: 1 texts for 70 labels/);
    const badThumbnail = {
      ...input,
      test: { ...input.test, thumbnails: Array(70).fill('javascript:alert(1)') },
    };
    expect(() => renderReport(badThumbnail)).toThrow(/test\.thumbnails\.0/);
  });
});

describe('writeReport', () => {
  const folders: string[] = [];
  afterAll(() => Promise.all(folders.map((f) => rm(f, { recursive: true, force: true }))));

  it('writes the page through a temporary file, leaving only the report', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'report-'));
    folders.push(folder);
    const small = syntheticReportData(3, 6, 2);
    await writeReport(join(folder, 'report.html'), small);
    expect(await readdir(folder)).toEqual(['report.html']);
    expect(await readFile(join(folder, 'report.html'), 'utf8')).toBe(renderReport(small));
  });
});
