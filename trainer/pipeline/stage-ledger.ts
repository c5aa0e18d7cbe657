import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { parseOrThrow } from '../../shared/validation.ts';
import { STAGES, type Stage } from './stage-list.ts';

/**
 * `runs/<id>/stages.json`: which stages of a run finished, when and in how long. A stage is recorded only
 * after it returned, so an interrupted or failed stage stays unfinished and `pipeline --run <id>` starts
 * there. Rerunning a finished stage by hand (`dml-edge export --run <id>`) records it again.
 */
export const STAGE_LEDGER_FILE = 'stages.json';

const StageEntrySchema = z.object({ finishedAt: z.iso.datetime(), seconds: z.number().min(0) }).strict();
export const StageLedgerSchema = z
  .object({ stages: z.partialRecord(z.enum(STAGES), StageEntrySchema) })
  .strict();
export type StageLedger = z.infer<typeof StageLedgerSchema>;

export function readStageLedger(runDir: string): StageLedger {
  const path = join(runDir, STAGE_LEDGER_FILE);
  if (!existsSync(path)) return { stages: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message}); delete it to rerun every stage`);
  }
  return parseOrThrow(StageLedgerSchema, json, `${path}: not a stage ledger`);
}

export function recordStageFinished(runDir: string, stage: Stage, seconds: number, now = new Date()): void {
  const ledger = readStageLedger(runDir);
  ledger.stages[stage] = { finishedAt: now.toISOString(), seconds };
  writeJsonAtomicSync(join(runDir, STAGE_LEDGER_FILE), ledger);
}

/** The stages still to run, in pipeline order; empty when the run finished. */
export function unfinishedStages(ledger: StageLedger): Stage[] {
  return STAGES.filter((stage) => !ledger.stages[stage]);
}
