import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createApiKey,
  defaultStatePath,
  openStateDb,
  revokeApiKey,
} from '../../edge/adapters/node/state-db.ts';
import type { ApiKeyScope } from '../../edge/ports.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import type { IndexItem } from '../../trainer/index/build-index.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { loadImageConfig } from '../../trainer/tasks/image/config.ts';
import { runImagePipeline } from '../../trainer/tasks/image/stages/pipeline.ts';
import { loadRecsConfig } from '../../trainer/tasks/recommendation/config.ts';
import { runRecsPipeline } from '../../trainer/tasks/recommendation/stages/pipeline.ts';
import { publishTinyModel } from '../http/published-model.ts';

/**
 * Test-only: real published models for the hardening suites, made by the trainer inside the test in
 * seconds: a tiny text model with a small collection (test/http's), the recommendation fixture model and
 * the synthetic-shapes image model (the pipelines without their HTML reports).
 */

export const TEXT_MODEL = 'tiny';
export const TEXT_COLLECTION = 'products';
export const RECS_MODEL = 'tiny-recs';
export const IMAGE_MODEL = 'shapes-tiny';

export const PRODUCTS: IndexItem[] = [
  { id: 'shoe-1', text: 'red running shoes for the road', metadata: { color: 'red' } },
  { id: 'shoe-2', text: 'blue trail running shoes', metadata: { color: 'blue' } },
  { id: 'tea-1', text: 'green tea with jasmine flowers' },
  { id: 'book-1', text: 'a novel about the sea and an old fisherman' },
  { id: 'lamp-1', text: 'brass desk lamp with a warm light' },
];

export interface Workspace {
  root: string;
  artifactsDir: string;
  remove(): Promise<void>;
}

export async function createWorkspace(prefix: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return {
    root,
    artifactsDir: join(root, 'artifacts'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };

/** Publishes the tiny text model `tiny@<version>` with the `products` collection (PRODUCTS by default). */
export async function publishTextModel(
  artifactsDir: string,
  version = 'v1',
  items = PRODUCTS,
): Promise<void> {
  const published = await publishTinyModel(artifactsDir, {
    name: TEXT_MODEL,
    version,
    dim: 8,
    seed: 1,
    collection: { name: TEXT_COLLECTION, items },
  });
  await published.embedder.release();
}

/** Where a pipeline publishing `<model>@v1` into the workspace runs (its report left out). */
async function servedRun(workspace: Workspace, name: string) {
  return {
    runDir: join(workspace.root, 'runs', name),
    runId: `hardening-${name}`,
    version: 'v1',
    backend: await initBackend('wasm'),
    progress: quiet,
    artifactsDir: workspace.artifactsDir,
    stages: STAGES.filter((stage) => stage !== 'report'),
  };
}

/** Trains and publishes `tiny-recs@v1` (collection tiny-movies; users "1".."160"). */
export async function publishRecsModel(workspace: Workspace): Promise<void> {
  const config = loadRecsConfig(fileURLToPath(new URL('../fixtures/recs/tiny.json', import.meta.url)));
  await runRecsPipeline({ config, ...(await servedRun(workspace, 'recs')) });
}

/** Trains and publishes `shapes-tiny@v1`, a 28x28 grey image model (collection shapes). */
export async function publishImageModel(workspace: Workspace): Promise<void> {
  const config = loadImageConfig(fileURLToPath(new URL('../../configs/shapes-tiny.json', import.meta.url)));
  await runImagePipeline({ config, ...(await servedRun(workspace, 'image')) });
}

/** A workspace serving every kind of model (text, recommendation, image), with test keys. */
export async function everyKindOfModel(prefix: string): Promise<{ workspace: Workspace; keys: TestKeys }> {
  const workspace = await createWorkspace(prefix);
  await publishTextModel(workspace.artifactsDir);
  await publishRecsModel(workspace);
  await publishImageModel(workspace);
  return { workspace, keys: await createTestKeys(workspace.artifactsDir) };
}

export interface TestKeys {
  read: string;
  write: string;
  admin: string;
  /** Revoked keys of each scope: refused like unknown ones. */
  revoked: Record<ApiKeyScope, string>;
}

/** One live key per scope and one revoked key per scope, in the server's state database. */
export async function createTestKeys(artifactsDir: string): Promise<TestKeys> {
  const state = await openStateDb(defaultStatePath(artifactsDir));
  try {
    const live = async (scope: ApiKeyScope) => (await createApiKey(state.db, { scope })).key;
    const revoked = async (scope: ApiKeyScope) => {
      const created = await createApiKey(state.db, { scope, name: 'revoked in the test' });
      revokeApiKey(state.db, created.id);
      return created.key;
    };
    return {
      read: await live('read'),
      write: await live('write'),
      admin: await live('admin'),
      revoked: { read: await revoked('read'), write: await revoked('write'), admin: await revoked('admin') },
    };
  } finally {
    state.close();
  }
}
