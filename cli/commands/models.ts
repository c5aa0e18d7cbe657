import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { listModels, listVersions } from '../../shared/artifacts/listing.ts';
import { switchR2Current } from '../../trainer/publish/r2-current.ts';
import { promoteVersion, rollbackChampion } from '../../trainer/registry/champion.ts';
import { reconcileRegistry } from '../../trainer/registry/reconcile.ts';
import { openVersionRegistry, type VersionRegistry } from '../../trainer/registry/registry.ts';
import type { VersionRecord } from '../../trainer/registry/schema.ts';
import { findTask, taskField } from '../../trainer/tasks/index.ts';
import { textTask } from '../../trainer/tasks/text/task.ts';
import { addRegistryOptions, artifactPaths, type RegistryFlags } from './retrain.ts';
import { type R2Flags, r2Options } from './upload.ts';

interface ModelsFlags extends RegistryFlags, Partial<R2Flags> {
  model?: string;
  json?: boolean;
}

interface ModelListing {
  model: string;
  current: string | null;
  versions: VersionRecord[];
  /** Published versions the registry has not adopted yet (promote or rollback adopts them). */
  unregistered: string[];
}

/**
 * `models list`: every model's versions (or one with --model), read as they are: the registry is not
 * created, migrated or reconciled, so listing writes nothing.
 */
async function listCommand(flags: ModelsFlags): Promise<void> {
  const { artifactsDir, registryPath } = artifactPaths(flags);
  const registry = existsSync(registryPath) ? await openVersionRegistry(registryPath) : undefined;
  try {
    const names = flags.model
      ? [flags.model]
      : [...new Set([...(registry?.models() ?? []), ...(await listModels(artifactsDir))])].sort();
    if (names.length === 0) throw new Error(`no models in ${artifactsDir} or its registry ${registryPath}`);
    const listings: ModelListing[] = [];
    for (const model of names) {
      const versions = registry?.list(model) ?? [];
      const known = new Set(versions.map((v) => v.version));
      listings.push({
        model,
        current: (await readCurrent(artifactsDir, model))?.version ?? null,
        versions,
        unregistered: (await listVersions(artifactsDir, model)).filter((version) => !known.has(version)),
      });
    }
    const [only] = listings;
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(flags.model ? only : { models: listings }, null, 2)}\n`
        : listings.map(formatListing).join('\n'),
    );
  } finally {
    registry?.close();
  }
}

/**
 * Promote and rollback switch the `current` pointer only: seconds, no retraining; servers watching the
 * artifacts pick the switch up within a second (SIGHUP makes it immediate). Each first reconciles the
 * registry with what is published (adopting versions published by `dml-edge pipeline`).
 */
async function changeChampion(
  flags: ModelsFlags,
  change: (registry: VersionRegistry, artifactsDir: string, model: string) => Promise<string>,
): Promise<void> {
  const { artifactsDir, registryPath } = artifactPaths(flags);
  const registry = await openVersionRegistry(registryPath);
  let model: string;
  try {
    model = await chooseModel(flags, registry, artifactsDir);
    for (const line of await reconcileRegistry(registry, artifactsDir, model)) {
      process.stderr.write(`registry: ${line}\n`);
    }
    process.stdout.write(`${await change(registry, artifactsDir, model)}\n`);
  } finally {
    registry.close();
  }
  if (flags.target === 'r2') await followInR2(flags, artifactsDir, model);
}

/** Refuses --local and --persist-to where they cannot apply, before anything is switched. */
function checkR2Flags(flags: ModelsFlags, command: Command): void {
  const usage = (message: string) => command.error(`error: ${message}`, { exitCode: 2, code: 'dml.usage' });
  if (flags.target !== 'r2' && (flags.local || flags.persistTo !== undefined)) {
    usage('--local and --persist-to apply to --target r2 only');
  }
  if (flags.persistTo !== undefined && !flags.local) usage('--persist-to needs --local');
}

/**
 * `--target r2`: the Workers build's bucket follows the switch just made (trainer/publish/r2-current.ts);
 * every isolate picks it up within its CURRENT_TTL_SECONDS.
 */
async function followInR2(flags: ModelsFlags, artifactsDir: string, model: string): Promise<void> {
  const bucket = flags.bucket ?? 'dml-edge-models';
  const where = `R2 bucket ${bucket}${flags.local ? ' (local)' : ''}`;
  try {
    const { version, uploaded } = await switchR2Current(
      { artifactsDir, model, bucket, local: flags.local === true, persistTo: flags.persistTo },
      { onObject: (object) => process.stderr.write(`uploading ${object.key}\n`) },
    );
    const objects = `${uploaded.length} object${uploaded.length === 1 ? '' : 's'}`;
    process.stdout.write(`${where}: ${model}/current is ${version} (uploaded ${objects})\n`);
  } catch (error) {
    throw new Error(
      `the registry and ${artifactsDir} switched, the ${where} did not: ${(error as Error).message}; ` +
        `retry with dml-edge upload --target r2 --model ${model}${flags.local ? ' --local' : ''}`,
      { cause: error },
    );
  }
}

async function chooseModel(
  flags: ModelsFlags,
  registry: VersionRegistry,
  artifactsDir: string,
): Promise<string> {
  if (flags.model) return flags.model;
  const known = [...new Set([...registry.models(), ...(await listModels(artifactsDir))])].sort();
  if (known.length === 1) return known[0];
  throw new Error(
    known.length === 0
      ? `no models in ${artifactsDir} or its registry`
      : `several models (${known.join(', ')}): pass --model <name>`,
  );
}

function formatListing({ model, current, versions, unregistered }: ModelListing): string {
  // The headline figures of the model's task; the registry keeps them all (see --json).
  const shown = (findTask(taskField(versions[0]?.config)) ?? textTask).headlineMetrics;
  const rows = versions.map((v) => [
    v.version,
    v.status,
    ...shown.map((name) => (v.metrics?.[name] === undefined ? '-' : v.metrics[name].toFixed(4))),
    v.parentVersion ?? '-',
    v.dataFingerprint.slice(0, 12),
    v.createdAt.slice(0, 19).replace('T', ' '),
    v.reason ?? '',
  ]);
  for (const version of unregistered) {
    const status = version === current ? 'live' : 'published';
    rows.push([version, status, ...shown.map(() => '-'), '-', '-', '-', 'not in the registry yet']);
  }
  const header = ['version', 'status', ...shown, 'parent', 'data', 'created', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${model}\n${[header, ...rows].map(line).join('\n')}\n`;
}

/** `dml-edge models list | promote <version> | rollback`: the version registry by hand. */
export function modelsCommand(): Command {
  const modelOption = () => new Option('--model <name>', 'the model (default: the only one there is)');
  const models = new Command('models').description(
    'the version registry: models list | promote <version> | rollback',
  );
  models.addCommand(
    addRegistryOptions(
      new Command('list')
        .description(
          'every version of every model (or --model) with status, metrics, lineage and why; writes nothing',
        )
        .addOption(new Option('--model <name>', 'only this model'))
        .addOption(new Option('--json', 'as JSON')),
    ).action(listCommand),
  );
  // --target r2 (with --bucket, --local, --persist-to, as upload takes them): R2 follows the switch.
  const withR2 = (command: Command) => r2Options(command);
  models.addCommand(
    withR2(
      addRegistryOptions(
        new Command('promote')
          .description('make a published version live (it becomes champion); --target r2: in R2 too')
          .argument('<version>', 'a published version')
          .addOption(modelOption()),
      ),
    ).action(async (version: string, flags: ModelsFlags, command: Command) => {
      checkR2Flags(flags, command);
      await changeChampion(flags, async (registry, artifactsDir, model) => {
        const reason = 'promoted by hand (dml-edge models promote)';
        const { previous } = await promoteVersion({ registry, artifactsDir, model, version, reason });
        return `${model}: ${version} is live (was ${previous ?? 'none'})`;
      });
    }),
  );
  models.addCommand(
    withR2(
      addRegistryOptions(
        new Command('rollback')
          .description(
            'put the previous champion back; the current one is marked rejected; --target r2: in R2 too',
          )
          .addOption(modelOption()),
      ),
    ).action(async (flags: ModelsFlags, command: Command) => {
      checkR2Flags(flags, command);
      await changeChampion(flags, async (registry, artifactsDir, model) => {
        const { from, to } = await rollbackChampion({ registry, artifactsDir, model });
        return `${model}: rolled back from ${from} to ${to}, which is live`;
      });
    }),
  );
  return models;
}
