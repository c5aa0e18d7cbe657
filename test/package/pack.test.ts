import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'dml-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const Scores = z.object({
  overall: z.object({ mean_average_precision_at_r: z.number(), precision_at_1: z.number() }),
});
const ConsumerOutput = z.object({
  losses: z.array(z.number()).min(10),
  before: Scores,
  after: Scores,
  client: z.array(z.string()),
});

// The published package as a stranger gets it: `npm pack` (whose prepack compiles dist/), the tarball
// installed into an empty project, and a plain `node` script importing dml-edge/metric, /eval and /client.
it('installs from its tarball and trains and evaluates with plain node', { timeout: 300_000 }, async () => {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  const [{ filename }] = z.array(z.object({ filename: z.string() })).parse(JSON.parse(packed.stdout));

  const project = join(work, 'consumer');
  await run('mkdir', [project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // No install scripts and no optional packages: the library needs neither (better-sqlite3 and tfjs-node do).
  await run(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--omit=optional',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, filename),
    ],
    { cwd: project },
  );
  copyFileSync(join(import.meta.dirname, 'consumer.mjs'), join(project, 'consumer.mjs'));

  const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: project });
  const output = ConsumerOutput.parse(JSON.parse(stdout.trim().split('\n').at(-1)!));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  expect(mean(output.losses.slice(-5))).toBeLessThan(mean(output.losses.slice(0, 5)));
  expect(output.after.overall.mean_average_precision_at_r).toBeGreaterThan(
    output.before.overall.mean_average_precision_at_r + 0.1,
  );
  expect(output.client).toEqual(expect.arrayContaining(['embed', 'embeddings', 'search', 'recommend']));
});
