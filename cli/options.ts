import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { defaultCollectionsPath } from '../edge/adapters/node/collection-store.ts';
import { defaultStatePath } from '../edge/adapters/node/state-db.ts';
import { BACKEND_CHOICES, type BackendChoice } from '../trainer/backend/index.ts';

/**
 * Flags several commands share, declared once. Each command file adds the ones it takes; commander gives
 * every command its own --help from them.
 */
export const DEFAULT_CONFIG = 'configs/wordnet-text.json';

export const artifactsOption = () =>
  new Option('--artifacts <dir>', 'published models (env DML_EDGE_ARTIFACTS; default artifacts)');
export const runsOption = () => new Option('--runs <dir>', 'where run folders live').default('runs');
export const backendOption = (fallback = "the config's backend") =>
  new Option('--backend <name>', `TensorFlow.js backend (default: ${fallback})`).choices(BACKEND_CHOICES);

export interface ArtifactsFlag {
  artifacts?: string;
}
export interface BackendFlag {
  backend?: BackendChoice;
}

export function artifactsDir(flags: ArtifactsFlag, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flags.artifacts ?? env.DML_EDGE_ARTIFACTS ?? 'artifacts');
}

/** A whole number from a flag, for commander's argParser: a clear message instead of NaN downstream. */
export function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError(`expected a whole number; got '${text}'`);
  return value;
}

export const stateOption = () =>
  new Option(
    '--state <file>',
    "the edge's writable database: API keys, recorded events (env DML_EDGE_STATE; default <artifacts>/state.db)",
  );

export const collectionsOption = () =>
  new Option(
    '--collections <file>',
    'the collections clients write over HTTP (env DML_EDGE_COLLECTIONS; default <artifacts>/collections.db)',
  );

/** Where a server on these artifacts keeps its written collections (see `dml-edge serve --collections`). */
export function collectionsPath(
  flags: ArtifactsFlag & { collections?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  return resolve(
    flags.collections ?? env.DML_EDGE_COLLECTIONS ?? defaultCollectionsPath(artifactsDir(flags, env)),
  );
}

/** The state database a server on the same artifacts uses (see `dml-edge serve --state`). */
export function statePath(
  flags: ArtifactsFlag & { state?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  return resolve(flags.state ?? env.DML_EDGE_STATE ?? defaultStatePath(artifactsDir(flags, env)));
}
