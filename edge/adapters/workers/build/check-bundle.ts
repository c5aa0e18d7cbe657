import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from './paths.ts';

/**
 * CI's bundle check: builds the worker as `npm run deploy` would (`wrangler deploy --dry-run`, whose
 * [build] step copies the wasm binaries), then measures what Cloudflare limits: the compressed size of
 * the uploaded modules, at most 10 MiB on the paid plan (3 MiB on the free plan). Each module is
 * gzipped on its own and the sizes summed; wrangler's own "gzip:" figure is printed beside it (it
 * compresses the whole upload; the two agree within 1%). Exits 1 when over the limit.
 */

export const PAID_PLAN_LIMIT = 10 * 1024 * 1024;
export const FREE_PLAN_LIMIT = 3 * 1024 * 1024;

export interface BundleModule {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleReport {
  modules: BundleModule[];
  bytes: number;
  gzipBytes: number;
  /** wrangler's "Total Upload: ... / gzip: ..." line. */
  wranglerSummary: string | undefined;
}

export async function measureWorkerBundle(): Promise<BundleReport> {
  const outdir = await mkdtemp(join(tmpdir(), 'dml-edge-bundle-'));
  try {
    const output = await wrangler(['deploy', '--dry-run', '--outdir', outdir]);
    const modules: BundleModule[] = [];
    for (const name of (await readdir(outdir)).sort()) {
      // Source maps are not uploaded (no upload_source_maps); wrangler adds a README to the folder.
      if (name.endsWith('.map') || name === 'README.md') continue;
      const bytes = await readFile(join(outdir, name));
      modules.push({ name, bytes: bytes.length, gzipBytes: gzipSync(bytes).length });
    }
    return {
      modules,
      bytes: modules.reduce((sum, m) => sum + m.bytes, 0),
      gzipBytes: modules.reduce((sum, m) => sum + m.gzipBytes, 0),
      wranglerSummary: /Total Upload: .*/.exec(output)?.[0],
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export function formatBundleReport(report: BundleReport): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const rows = report.modules
    .filter((m) => m.bytes > 1024)
    .map(
      (m) =>
        `  ${m.name.replace(/^[0-9a-f]{40}-/, '').padEnd(32)}${mib(m.bytes).padStart(11)}${mib(m.gzipBytes).padStart(11)} gzip`,
    );
  return [
    'Workers bundle (wrangler deploy --dry-run):',
    ...rows,
    `  ${'total'.padEnd(32)}${mib(report.bytes).padStart(11)}${mib(report.gzipBytes).padStart(11)} gzip`,
    `  limit ${mib(PAID_PLAN_LIMIT)} gzip on the paid plan, ${mib(FREE_PLAN_LIMIT)} on the free plan`,
    ...(report.wranglerSummary ? [`  wrangler: ${report.wranglerSummary}`] : []),
  ].join('\n');
}

function wrangler(args: string[]): Promise<string> {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
    'bin/wrangler.js',
  );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(output)
        : reject(new Error(`wrangler ${args.join(' ')} failed:\n${output}`)),
    );
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await measureWorkerBundle();
  console.log(formatBundleReport(report));
  if (report.gzipBytes > PAID_PLAN_LIMIT) {
    console.error('the Workers bundle is over the 10 MiB (gzip) limit');
    process.exit(1);
  }
}
