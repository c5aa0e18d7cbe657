import {
  ARTIFACT_FILE_NAMES,
  type ArtifactFileKey,
  artifactPath,
  currentPointerPath,
  manifestPath,
  parseCurrentPointer,
} from '../../../shared/artifacts/layout.ts';
import { type FileEntry, type Manifest, parseManifest } from '../../../shared/manifest.ts';
import type { OrtModule } from '../../../shared/onnx/text-embedder.ts';
import { createManifestEmbedder, withDefaultFirst } from '../../loaded-models.ts';
import type { LoadedModel, ModelRegistry } from '../../ports.ts';
import { type ArtifactStore, objectKey, requireObject } from './artifact-store.ts';
import { readVerified } from './verified-read.ts';

/** A verified artifact to read later: its key and manifest entry. */
export interface ArtifactRef {
  key: string;
  entry: FileEntry;
}

export interface WorkersModelRegistry extends ModelRegistry {
  /** The index.db of every loaded version that ships one and no worker index, for the VectorIndex adapter. */
  readonly indexes: readonly ArtifactRef[];
  /** The worker-index.json of every loaded version that ships one (served instead of its index.db). */
  readonly workerIndexes: readonly ArtifactRef[];
  /** Frees every ONNX session. */
  release(): Promise<void>;
}

interface LoadedVersion extends LoadedModel {
  readonly embedder: LoadedModel['embedder'] & { release(): Promise<void> };
  readonly index?: ArtifactRef;
  readonly workerIndex?: ArtifactRef;
}

/**
 * The Workers twin of edge/adapters/node/model-registry.ts: loads the current version of every model
 * in the store, checking every file it reads against the manifest's size and sha256 (a mismatch fails
 * the load, naming the key), and opens an ONNX session on the file the manifest's `serve` names. Files
 * the worker does not read (the other ONNX precision, the report) are not fetched. Models without a
 * `current` pointer are not live and are skipped.
 */
export async function loadWorkersModelRegistry(
  store: ArtifactStore,
  ort: OrtModule,
  options: { defaultModel?: string } = {},
): Promise<WorkersModelRegistry> {
  const loaded: LoadedVersion[] = [];
  const release = () => Promise.all(loaded.map((model) => model.embedder.release())).then(() => undefined);
  try {
    for (const name of await store.listModels()) {
      const version = await readCurrentVersion(store, name);
      if (version) loaded.push(await loadVersion(store, ort, name, version));
    }
    const names = loaded.map((model) => model.manifest.name);
    if (names.length === 0) throw new Error(`no published model with a current version in ${store.label}`);
    if (options.defaultModel !== undefined && !names.includes(options.defaultModel)) {
      throw new Error(
        `the default model "${options.defaultModel}" is not among the loaded models (${names.join(', ')})`,
      );
    }
  } catch (error) {
    await release();
    throw error;
  }

  const { ordered, defaultName } = withDefaultFirst(loaded, options.defaultModel);
  const byName = new Map(ordered.map((model) => [model.manifest.name, model]));
  return {
    list: () => ordered,
    get: (name = defaultName) => byName.get(name),
    indexes: ordered.flatMap((model) => (model.index && !model.workerIndex ? [model.index] : [])),
    workerIndexes: ordered.flatMap((model) => (model.workerIndex ? [model.workerIndex] : [])),
    release,
  };
}

async function readCurrentVersion(store: ArtifactStore, model: string): Promise<string | undefined> {
  const key = objectKey(currentPointerPath('', model));
  const text = await store.getText(key);
  return text === undefined ? undefined : parseCurrentPointer(text, key).version;
}

async function loadVersion(
  store: ArtifactStore,
  ort: OrtModule,
  model: string,
  version: string,
): Promise<LoadedVersion> {
  const manifest = await readManifest(store, model, version);
  const served = artifactRef(manifest, manifest.serve);
  const bytes = new Uint8Array(served.entry.bytes);
  await readVerified(await requireObject(store, served.key), served.key, served.entry, bytes);
  const embedder = await createManifestEmbedder(ort, manifest, bytes);
  return {
    manifest,
    embedder,
    ...(manifest.files.index ? { index: artifactRef(manifest, 'index') } : {}),
    ...(manifest.files.worker_index ? { workerIndex: artifactRef(manifest, 'worker_index') } : {}),
  };
}

/** The version's manifest, which must describe the key it sits under. */
export async function readManifest(store: ArtifactStore, model: string, version: string): Promise<Manifest> {
  const key = objectKey(manifestPath('', model, version));
  const text = await store.getText(key);
  if (text === undefined) throw new Error(`${key} is missing from ${store.label}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${key} is not JSON`);
  }
  const manifest = parseManifest(json, key);
  if (manifest.name !== model || manifest.version !== version) {
    throw new Error(`${key} describes ${manifest.name}/${manifest.version}, not the key it is under`);
  }
  return manifest;
}

function artifactRef(manifest: Manifest, file: ArtifactFileKey): ArtifactRef {
  const entry = manifest.files[file];
  const key = objectKey(artifactPath('', manifest.name, manifest.version, file));
  if (!entry) throw new Error(`the manifest of ${manifest.name}/${manifest.version} lists no ${file} file`);
  if (entry.path !== ARTIFACT_FILE_NAMES[file]) {
    throw new Error(`${key}: the manifest's files.${file} must be ${ARTIFACT_FILE_NAMES[file]}`);
  }
  return { key, entry };
}
