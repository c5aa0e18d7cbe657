import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../shared/artifacts/atomic-fs.ts';

/**
 * The results file, bench/results/<YYYY-MM-DD>.json: one entry per section, each a list of rows.
 * docs/benchmarks.md is rendered from this file alone, so the two never disagree.
 */

export const RESULTS_SCHEMA_VERSION = 1;

export const TargetSchema = z
  .object({
    /** The claim, as the issue states it, e.g. "<= 2x onnxruntime-node". */
    text: z.string(),
    met: z.boolean(),
    /** Which side of the figure is good: the worst round is the one furthest on the other side. */
    better: z.enum(['higher', 'lower']).optional(),
    /** With several rounds (see rounds.ts): how many met the target, and the worst round's median. */
    rounds_met: z.number().int().nonnegative().optional(),
    worst: z.number().optional(),
  })
  .strict();
export type Target = z.infer<typeof TargetSchema>;

export const RowSchema = z
  .object({
    /** The sub-table the row belongs to, e.g. "model only, batch 32". */
    group: z.string(),
    /** What was measured, e.g. "edge embedder int8 (onnxruntime-web WASM)". */
    figure: z.string(),
    unit: z.string(),
    median: z.number(),
    /** Absent for one-shot figures (a build time, a file size, a recall). */
    min: z.number().optional(),
    max: z.number().optional(),
    p99: z.number().optional(),
    /** Measured runs behind median, min and max (warm-up runs excluded). */
    runs: z.number().int().positive(),
    /** Each independent round's median, when the figure was measured in several (see rounds.ts). */
    rounds: z.array(z.number()).optional(),
    target: TargetSchema.optional(),
    note: z.string().optional(),
  })
  .strict();
export type Row = z.infer<typeof RowSchema>;

/** A target the section cannot measure yet, with why; listed beside the measured ones. */
export const PendingTargetSchema = z.object({ text: z.string(), reason: z.string() }).strict();
export type PendingTarget = z.infer<typeof PendingTargetSchema>;

export const SectionStatusSchema = z.enum(['ran', 'skipped', 'pending', 'failed']);
export type SectionStatus = z.infer<typeof SectionStatusSchema>;

export const SectionResultSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    status: SectionStatusSchema,
    ran_at: z.iso.datetime(),
    seconds: z.number().nonnegative(),
    /** The 1-minute load average when the section started: other work on the machine skews timings. */
    load_average: z.number().nonnegative(),
    /** How the section measured (inputs, settings), and why it skipped or what is pending. */
    notes: z.array(z.string()),
    rows: z.array(RowSchema),
    pending_targets: z.array(PendingTargetSchema).default([]),
  })
  .strict();
export type SectionResult = z.infer<typeof SectionResultSchema>;

export const MachineSchema = z
  .object({
    cpu: z.string(),
    cores: z.number().int().positive(),
    memory_gb: z.number().positive(),
    node: z.string(),
    platform: z.string(),
  })
  .strict();
export type Machine = z.infer<typeof MachineSchema>;

export const BenchResultsSchema = z
  .object({
    schema_version: z.literal(RESULTS_SCHEMA_VERSION),
    date: z.iso.date(),
    machine: MachineSchema,
    sections: z.array(SectionResultSchema),
  })
  .strict();
export type BenchResults = z.infer<typeof BenchResultsSchema>;

export async function readResults(path: string): Promise<BenchResults | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = BenchResultsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path} is not a results file: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/**
 * The sections of this run on top of the same day's earlier ones, so `npm run bench -- http` refreshes
 * one section and keeps the rest. Sections keep the canonical order given by `order`.
 */
export function mergeSections(
  earlier: readonly SectionResult[],
  latest: readonly SectionResult[],
  order: readonly string[],
): SectionResult[] {
  const byName = new Map(earlier.map((section) => [section.name, section]));
  for (const section of latest) byName.set(section.name, section);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...byName.values()].sort((a, b) => rank(a.name) - rank(b.name));
}

/** Written atomically (temporary sibling, then rename): readers never see half a file. */
export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(BenchResultsSchema.parse(results), null, 2)}\n`);
}
