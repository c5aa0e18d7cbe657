import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { runTsx } from './global-setup.ts';
import type { ShardFixtures } from './shard-fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** shards.test.ts: the flat and sharded models' objects and the Node server's answers. */
    shardFixtures: ShardFixtures;
  }
}

/** Before the workerd suites: shard-fixtures.ts (in its own Node process) publishes the sharded models. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-shards-'));
  try {
    const output = join(dir, 'fixtures.json');
    await runTsx(join(import.meta.dirname, 'shard-fixtures.ts'), [join(dir, 'artifacts'), output]);
    project.provide('shardFixtures', JSON.parse(await readFile(output, 'utf8')) as ShardFixtures);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(dir, { recursive: true, force: true });
}
