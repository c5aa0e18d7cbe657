import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareWorkerWasm } from '../../edge/adapters/workers/build/prepare-wasm.ts';
import type { NodeFixtures } from './node-fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext extends NodeFixtures {
    /** The published artifacts folder, which vitest.workers.config.ts serves as static assets. */
    assetsDir: string;
  }
}

/**
 * Before the workerd suites: copies the wasm binaries the worker imports, then has node-fixtures.ts
 * (in its own Node process) publish the models and record the Node server's replies and the R2 objects.
 * Returns the teardown that removes the published folder.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await prepareWorkerWasm();
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-workers-'));
  try {
    const artifactsDir = join(dir, 'artifacts');
    const output = join(dir, 'fixtures.json');
    await runTsx(join(import.meta.dirname, 'node-fixtures.ts'), [artifactsDir, output]);
    const fixtures = JSON.parse(await readFile(output, 'utf8')) as NodeFixtures;
    await rm(output);
    project.provide('r2Objects', fixtures.r2Objects);
    project.provide('nodeReplies', fixtures.nodeReplies);
    project.provide('assetsDir', artifactsDir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(dir, { recursive: true, force: true });
}

/** Runs a TypeScript file in its own Node process; rejects with its stderr when it fails. */
export function runTsx(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} failed (exit ${code}):\n${stderr}`)),
    );
  });
}
