import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readD1Migrations } from '@cloudflare/vitest-pool-workers';
import type { TestProject } from 'vitest/node';
import { STATE_MIGRATIONS_DIR } from '../../edge/adapters/node/state-db.ts';
import { runTsx } from './global-setup.ts';
import type { RecsFixtures } from './recs-fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** recommend.test.ts: the tiny recommendation model in R2 form and the Node server's answers. */
    recs: RecsFixtures;
    /** migrations/edge-state/ as wrangler reads it, for applyD1Migrations in the tests. */
    d1Migrations: { name: string; queries: string[] }[];
  }
}

/**
 * Before the workerd suites: recs-fixtures.ts (in its own Node process) trains and publishes the tiny
 * recommendation model and records the Node server's answers; the edge-state migrations are read as
 * `wrangler d1 migrations apply` reads them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-recs-'));
  try {
    const output = join(dir, 'recs-fixtures.json');
    await runTsx(join(import.meta.dirname, 'recs-fixtures.ts'), [dir, output]);
    project.provide('recs', JSON.parse(await readFile(output, 'utf8')) as RecsFixtures);
    project.provide('d1Migrations', await readD1Migrations(STATE_MIGRATIONS_DIR));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(dir, { recursive: true, force: true });
}
