import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticReportData } from './test-fixture.ts';
import { writeReport } from './write.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Opens a written report and collects everything that went wrong while it loaded. */
async function openReport(browser: Browser, path: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:'))
      problems.push(`request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, problems };
}

/** The part of the page's global ECharts that the test reads. */
interface PageGlobals {
  echarts: {
    getInstanceByDom(element: HTMLElement | null): {
      getOption(): { series: { name: string; data: unknown[] }[] };
    };
  };
}

/** Points per series of the ECharts chart in element `id`, read back from the live chart. */
function seriesSizes(id: string): Record<string, number> {
  // Runs in the page, where the inlined ECharts is a global.
  const { echarts } = globalThis as unknown as PageGlobals;
  const { series } = echarts.getInstanceByDom(document.getElementById(id)).getOption();
  return Object.fromEntries(series.map((s) => [s.name, s.data.length]));
}

describe('report in headless Chromium', () => {
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's browser with \`apt-get install chromium\` to run this test`,
      );
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    folder = await mkdtemp(join(tmpdir(), 'report-browser-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('renders without errors, with one point per test item on each map', async () => {
    const data = syntheticReportData();
    const path = join(folder, 'report.html');
    await writeReport(path, data);
    const { page, problems } = await openReport(browser, path);
    expect(problems).toEqual([]);

    const perClass = new Map<string, number>();
    for (const label of data.test.labels as Int32Array) {
      const name = data.classNames?.[String(label)] ?? String(label);
      perClass.set(name, (perClass.get(name) ?? 0) + 1);
    }
    for (const id of ['map-tsne', 'map-umap']) {
      expect(await page.evaluate(seriesSizes, id)).toEqual(Object.fromEntries(perClass));
    }
    expect(Object.keys(await page.evaluate(seriesSizes, 'chart-loss'))).toEqual(['loss']);
    expect(await page.evaluate(seriesSizes, 'chart-verification-scores')).toEqual({
      same: 40,
      different: 40,
    });
    expect((await page.evaluate(seriesSizes, 'chart-roc')).ROC).toBe(data.verification?.roc.length);

    // Hostile item texts and names stayed text: nothing ran, nothing was injected.
    expect(await page.title()).toBe('Synthetic <blobs> & friends — run-0001');
    expect(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('.example').count()).toBe(5);
    await page.close();
  });

  it('maps the seeded sample when there are more items than maxMapPoints', async () => {
    const path = join(folder, 'sampled.html');
    await writeReport(path, { ...syntheticReportData(), options: { maxMapPoints: 30 } });
    const { page, problems } = await openReport(browser, path);
    expect(problems).toEqual([]);
    const sizes = Object.values(await page.evaluate(seriesSizes, 'map-tsne'));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
    expect(await page.textContent('body')).toContain('a seeded random sample of 30 of the 70 test items');
    await page.close();
  });
});
