import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { listModels, readCurrent, verifyVersion } from '../../../shared/artifacts/index.ts';
import { versionDir } from '../../../shared/artifacts/layout.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import { createManifestEmbedder, withDefaultFirst } from '../../loaded-models.ts';
import type { LoadedModel, ModelRegistry } from '../../ports.ts';
import { pinnedVersions } from './pinned-versions.ts';

export interface NodeModelRegistry extends ModelRegistry {
  /** The index.db of every loaded version that ships one, for the VectorIndex adapter. */
  readonly indexPaths: readonly string[];
  /** Frees every ONNX session. */
  close(): Promise<void>;
}

export interface LoadModelsOptions {
  artifactsDir: string;
  /** Requests that name no model get this one; otherwise the first text-similarity model by name (or the first model). */
  defaultModel?: string;
}

interface LoadedVersion extends LoadedModel {
  readonly embedder: LoadedModel['embedder'] & { release(): Promise<void> };
  readonly indexPath?: string;
}

/**
 * Loads the current version of every model under the artifacts directory: verifies every file against
 * the manifest's sha256 (a mismatch refuses to start, naming the file), then opens an onnxruntime-web
 * session on the file the manifest's `serve` names. Models without a `current` pointer are not live and
 * are skipped.
 */
export async function loadNodeModelRegistry(options: LoadModelsOptions): Promise<NodeModelRegistry> {
  // One thread per session: the server runs one request batch at a time and keeps the other core for I/O.
  ort.env.wasm.numThreads = 1;
  const loaded: LoadedVersion[] = [];
  try {
    for (const name of await listModels(options.artifactsDir)) {
      const current = await readCurrent(options.artifactsDir, name);
      if (current) loaded.push(await loadVersion(versionDir(options.artifactsDir, name, current.version)));
    }
  } catch (error) {
    await Promise.all(loaded.map((model) => model.embedder.release()));
    throw error;
  }

  const names = loaded.map((model) => model.manifest.name);
  const problem = registryProblem(names, options);
  if (problem) {
    await Promise.all(loaded.map((model) => model.embedder.release()));
    throw new Error(problem);
  }

  const { ordered, defaultName } = withDefaultFirst(loaded, options.defaultModel);
  const byName = new Map(ordered.map((model) => [model.manifest.name, model]));
  const pinned = pinnedVersions(options.artifactsDir, loadVersion);
  return {
    list: () => ordered,
    get: (name = defaultName) => byName.get(name),
    pinned: pinned.pinned,
    indexPaths: ordered.flatMap((model) => (model.indexPath ? [model.indexPath] : [])),
    async close() {
      await Promise.all([pinned.close(), ...ordered.map((model) => model.embedder.release())]);
    },
  };
}

function registryProblem(names: readonly string[], options: LoadModelsOptions): string | undefined {
  if (names.length === 0) return `no published model with a current version in ${options.artifactsDir}`;
  if (options.defaultModel !== undefined && !names.includes(options.defaultModel)) {
    return `the default model "${options.defaultModel}" is not among the loaded models (${names.join(', ')})`;
  }
  return undefined;
}

async function loadVersion(dir: string): Promise<LoadedVersion> {
  let manifest: Manifest;
  try {
    manifest = await verifyVersion(dir);
  } catch (error) {
    throw new Error(`refusing to serve ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const served = manifest.files[manifest.serve];
  const model = new Uint8Array(await readFile(join(dir, served.path)));
  const embedder = await createManifestEmbedder(ort, manifest, model);
  return {
    manifest,
    embedder,
    ...(manifest.files.index ? { indexPath: join(dir, manifest.files.index.path) } : {}),
  };
}
