import { readCurrent } from '../shared/artifacts/current.ts';
import { listModels } from '../shared/artifacts/listing.ts';
import { promoteVersion, rollbackChampion } from '../trainer/registry/champion.ts';
import { reconcileRegistry } from '../trainer/registry/reconcile.ts';
import { openVersionRegistry, type VersionRegistry } from '../trainer/registry/registry.ts';
import type { VersionRecord } from '../trainer/registry/schema.ts';
import type { Command } from './commands.ts';
import { artifactPaths, registryHelp, registryOptions } from './retrain.ts';

type Values = Record<string, string | boolean | undefined>;

const USAGE = 'dml-edge models list | promote <version> | rollback';
/** The metrics a listing shows, by the model's task; the registry keeps them all (see --json). */
const SHOWN_METRICS = {
  text: ['mean_average_precision_at_r', 'precision_at_1'],
  recommendation: ['ndcg_at_10', 'hr_at_10'],
};

/**
 * `dml-edge models`: the version registry by hand. Each subcommand first reconciles the registry with
 * what is published (adopting versions published by `dml-edge pipeline`), so it also works on a fresh
 * registry. Promote and rollback only switch the `current` pointer: seconds, no retraining; servers
 * watching the artifacts pick the switch up within a second (SIGHUP makes it immediate).
 */
export const modelsCommand: Command = {
  summary: 'the version registry: models list | promote <version> | rollback',
  options: {
    help: { type: 'boolean', short: 'h' },
    model: { type: 'string' },
    json: { type: 'boolean' },
    ...registryOptions,
  },
  help: [
    ['list', 'every version with status, metrics on the frozen set, lineage and why it has its status'],
    ['promote <version>', 'make a published version live (it becomes champion)'],
    ['rollback', 'put the previous champion back; the current one is marked rejected'],
    ['--model <name>', 'the model (default: the only one there is)'],
    ['--json', 'list as JSON'],
    ...registryHelp,
  ],
  async run(values, positionals) {
    const [action, version, ...extra] = positionals;
    if (extra.length > 0 || !['list', 'promote', 'rollback'].includes(action ?? '')) {
      throw new Error(`usage: ${USAGE}`);
    }
    if ((action === 'promote') !== (version !== undefined)) throw new Error(`usage: ${USAGE}`);
    const { artifactsDir, registryPath } = artifactPaths(values);
    const registry = await openVersionRegistry(registryPath);
    try {
      const model = await chooseModel(values, registry, artifactsDir);
      for (const change of await reconcileRegistry(registry, artifactsDir, model)) {
        process.stderr.write(`registry: ${change}\n`);
      }
      if (action === 'list') {
        const current = (await readCurrent(artifactsDir, model))?.version ?? null;
        const versions = registry.list(model);
        process.stdout.write(
          values.json
            ? `${JSON.stringify({ model, current, versions }, null, 2)}\n`
            : formatList(model, versions),
        );
      } else if (action === 'promote') {
        const { previous } = await promoteVersion({
          registry,
          artifactsDir,
          model,
          version: version!,
          reason: 'promoted by hand (dml-edge models promote)',
        });
        process.stdout.write(`${model}: ${version} is live (was ${previous ?? 'none'})\n`);
      } else {
        const { from, to } = await rollbackChampion({ registry, artifactsDir, model });
        process.stdout.write(`${model}: rolled back from ${from} to ${to}, which is live\n`);
      }
      return 0;
    } finally {
      registry.close();
    }
  },
};

async function chooseModel(values: Values, registry: VersionRegistry, artifactsDir: string): Promise<string> {
  if (typeof values.model === 'string') return values.model;
  const known = [...new Set([...registry.models(), ...(await listModels(artifactsDir))])].sort();
  if (known.length === 1) return known[0];
  throw new Error(
    known.length === 0
      ? `no models in ${artifactsDir} or its registry`
      : `several models (${known.join(', ')}): pass --model <name>`,
  );
}

function formatList(model: string, versions: readonly VersionRecord[]): string {
  const shown =
    versions[0]?.config.task === 'recommendation' ? SHOWN_METRICS.recommendation : SHOWN_METRICS.text;
  const rows = versions.map((v) => [
    v.version,
    v.status,
    ...shown.map((name) => (v.metrics?.[name] === undefined ? '-' : v.metrics[name].toFixed(4))),
    v.parentVersion ?? '-',
    v.dataFingerprint.slice(0, 12),
    v.createdAt.slice(0, 19).replace('T', ' '),
    v.reason ?? '',
  ]);
  const header = ['version', 'status', ...shown, 'parent', 'data', 'created', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${model}\n${[header, ...rows].map(line).join('\n')}\n`;
}
