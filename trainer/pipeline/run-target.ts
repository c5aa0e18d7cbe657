import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJsonFile } from '../util/read-json-file.ts';
import { loadPipelineConfig, type PipelineConfig, parsePipelineConfig } from './pipeline-config.ts';
import { createRunDir, newRunId, runPath } from './run-dir.ts';
import { readStageLedger, unfinishedStages } from './stage-ledger.ts';
import type { PipelineOptions } from './stages.ts';
import { pinRunConfig } from './train-run.ts';

/** A run folder with the config it was created with: what every stage command works on. */
export interface RunTarget {
  runDir: string;
  runId: string;
  version: string;
  loaded: PipelineConfig;
}

/**
 * Creates a run for a config. The config is pinned into the run at once, so `--run <id>` alone names
 * everything a later stage needs (task, data, model).
 */
export function createRun(runsDir: string, loaded: PipelineConfig, now = new Date()): RunTarget {
  const { id, version } = newRunId(loaded.config.name, now);
  const runDir = createRunDir(runsDir, id);
  pinRunConfig(runDir, loaded.config);
  return { runDir, runId: id, version, loaded };
}

/**
 * Opens an existing run with its pinned config. `configPath`, when given, must be the same config (a run
 * continues only with the config it was trained with).
 */
export function openRun(runsDir: string, runId: string, configPath?: string): RunTarget {
  const runDir = resolve(runsDir, runId);
  if (!existsSync(runDir)) {
    const known = listRuns(runsDir).slice(-5);
    throw new Error(
      `no run ${runId} in ${resolve(runsDir)}` +
        (known.length ? ` (newest runs there: ${known.join(', ')})` : '') +
        '; pass --runs <dir> if it lives elsewhere',
    );
  }
  const pinned = runPath(runDir, 'config');
  let loaded: PipelineConfig;
  if (existsSync(pinned)) {
    // Paths in a pinned config were resolved when it was first read, so the run folder is as good a base.
    loaded = parsePipelineConfig(readJsonFile(pinned), pinned, runDir);
    if (configPath !== undefined) pinRunConfig(runDir, loadPipelineConfig(configPath).config);
  } else if (configPath !== undefined) {
    loaded = loadPipelineConfig(configPath);
    pinRunConfig(runDir, loaded.config);
  } else {
    throw new Error(`${pinned} does not exist: pass --config <file> with the config this run was made with`);
  }
  return { runDir, runId, version: versionOf(runId, loaded.config.name), loaded };
}

/** The newest run of exactly this config that has stages left, if any (what `npm start` continues). */
export function newestUnfinishedRun(runsDir: string, loaded: PipelineConfig): RunTarget | undefined {
  const wanted = JSON.stringify(loaded.config);
  for (const runId of listRuns(runsDir, loaded.config.name).reverse()) {
    const runDir = resolve(runsDir, runId);
    const pinned = runPath(runDir, 'config');
    if (!existsSync(pinned) || JSON.stringify(readJsonFile(pinned)) !== wanted) continue;
    if (unfinishedStages(readStageLedger(runDir)).length === 0) continue;
    return { runDir, runId, version: versionOf(runId, loaded.config.name), loaded };
  }
  return undefined;
}

/** The stage times of the newest run of the same model name that finished every stage: the ETA's basis. */
export function earlierFinishedRun(
  runsDir: string,
  name: string,
  exceptRunId: string,
): PipelineOptions<unknown>['earlierRun'] {
  for (const runId of listRuns(runsDir, name).reverse()) {
    if (runId === exceptRunId) continue;
    const ledger = readStageLedger(resolve(runsDir, runId));
    if (unfinishedStages(ledger).length > 0) continue;
    return {
      id: runId,
      seconds: Object.fromEntries(
        Object.entries(ledger.stages).map(([stage, entry]) => [stage, entry.seconds]),
      ),
    };
  }
  return undefined;
}

/** Run ids in `runsDir` (of model `name` when given), oldest first: ids end in a sortable timestamp. */
function listRuns(runsDir: string, name?: string): string[] {
  if (!existsSync(runsDir)) return [];
  const pattern = name ? new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}-\\d{6}`) : /./;
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && pattern.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => timestampOf(a).localeCompare(timestampOf(b)) || a.localeCompare(b));
}

function timestampOf(runId: string): string {
  return /\d{8}-\d{6}/.exec(runId.slice(-20))?.[0] ?? runId;
}

/** A run's model version is its id without the model's name (`wordnet-text-20261128-081530` -> the date). */
function versionOf(runId: string, name: string): string {
  return runId.startsWith(`${name}-`) ? runId.slice(name.length + 1) : runId;
}
