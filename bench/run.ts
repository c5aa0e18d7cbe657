/**
 * The benchmark suite: `npm run bench [-- <section>... [--large] [--rounds N]]`. Runs the chosen sections
 * (all by default) in N independent rounds, each a fresh process (3 by default), merges the rounds
 * (rounds.ts), writes bench/results/<YYYY-MM-DD>.json and regenerates docs/benchmarks.md from it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writeFileAtomic } from '../shared/artifacts/atomic-fs.ts';
import { machineInfo } from './machine.ts';
import { DOCS_FILE, REPO_ROOT, resultsPath } from './paths.ts';
import { renderMarkdown } from './report.ts';
import {
  type BenchResults,
  mergeSections,
  RESULTS_SCHEMA_VERSION,
  readResults,
  type SectionResult,
  SectionResultSchema,
  writeResults,
} from './results.ts';
import { mergeRounds } from './rounds.ts';
import { type BenchOptions, isPending, type Section } from './section.ts';
import { SECTIONS } from './sections/index.ts';

const SECTION_NAMES = SECTIONS.map((section) => section.name);

const ArgsSchema = z.object({
  sections: z
    .array(
      z.string().refine((name) => SECTION_NAMES.includes(name), {
        error: (issue) => `unknown section "${issue.input}" (sections: ${SECTION_NAMES.join(', ')})`,
      }),
    )
    .transform((names) => (names.length === 0 ? SECTION_NAMES : [...new Set(names)])),
  large: z.boolean(),
  artifacts: z.string().min(1),
  runs: z.string().min(1),
  rounds: z.coerce.number().int().min(1).max(20),
  'round-output': z.string().min(1).optional(),
  'build-cache': z.string().min(1).optional(),
});

const USAGE = `usage: npm run bench [-- <section>...] [--large] [--rounds <n>] [--artifacts <dir>] [--runs <dir>]
sections: ${SECTION_NAMES.join(', ')} (default: all)
  --large            adds the 1M-vector knn case (tens of minutes)
  --rounds <n>       independent rounds, each a fresh process (default 3); a target is MET only if all meet it
  --artifacts <dir>  published models (default: env DML_EDGE_ARTIFACTS, else artifacts)
  --runs <dir>       training runs (default runs)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      large: { type: 'boolean', default: false },
      artifacts: { type: 'string', default: process.env.DML_EDGE_ARTIFACTS ?? 'artifacts' },
      runs: { type: 'string', default: 'runs' },
      rounds: { type: 'string', default: '3' },
      // Internal: a round's child process writes its sections here instead of the docs.
      'round-output': { type: 'string' },
      'build-cache': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = ArgsSchema.safeParse({ ...values, sections: positionals });
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((issue) => issue.message).join('\n')}\n${USAGE}`);
    return 2;
  }
  const args = parsed.data;
  // Absolute, so the server's child process (started in the repository root) finds the same folders.
  const options: BenchOptions = {
    large: args.large,
    artifactsDir: resolve(args.artifacts),
    runsDir: resolve(args.runs),
    ...(args['build-cache'] ? { buildCache: args['build-cache'] } : {}),
  };
  const machine = machineInfo();
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  console.log(
    `bench: ${args.sections.join(', ')} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}`,
  );

  const roundOutput = args['round-output'];
  if (roundOutput !== undefined) {
    const sections = await runSections(args.sections, options, elapsed);
    await writeFileAtomic(roundOutput, JSON.stringify(sections));
    return 0;
  }
  const latest =
    args.rounds === 1
      ? await runSections(args.sections, options, elapsed)
      : mergeRounds(await runRounds(args.rounds, elapsed));

  const date = new Date().toISOString().slice(0, 10);
  const path = resultsPath(date);
  const earlier = await readResults(path);
  // Figures from another machine cannot share a table with these.
  const sameMachine = earlier && JSON.stringify(earlier.machine) === JSON.stringify(machine);
  const results: BenchResults = {
    schema_version: RESULTS_SCHEMA_VERSION,
    date,
    machine,
    sections: mergeSections(sameMachine ? earlier.sections : [], latest, SECTION_NAMES),
  };
  await writeResults(path, results);
  await writeFileAtomic(DOCS_FILE, renderMarkdown(results, relative(REPO_ROOT, path)));
  console.log(`[${elapsed()}] wrote ${relative(REPO_ROOT, path)} and ${relative(REPO_ROOT, DOCS_FILE)}`);
  printTargets(latest);
  return latest.some((section) => section.status === 'failed') ? 1 : 0;
}

async function runSections(
  names: readonly string[],
  options: BenchOptions,
  elapsed: () => string,
): Promise<SectionResult[]> {
  const latest: SectionResult[] = [];
  for (const section of SECTIONS.filter((s) => names.includes(s.name))) {
    const log = (message: string) => console.log(`[${elapsed()}] ${section.name}: ${message}`);
    latest.push(await runSection(section, options, log));
  }
  return latest;
}

/**
 * Runs this command again once per round, each time in a fresh process (nothing warmed by an earlier
 * round: JIT, caches, heap), and returns each round's sections.
 */
async function runRounds(rounds: number, elapsed: () => string): Promise<SectionResult[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-bench-rounds-'));
  const forwarded = process.argv
    .slice(2)
    .filter((arg, i, all) => arg !== '--rounds' && all[i - 1] !== '--rounds');
  try {
    const results: SectionResult[][] = [];
    for (let round = 1; round <= rounds; round++) {
      console.log(`[${elapsed()}] round ${round} of ${rounds} (a fresh process)`);
      const output = join(dir, `round-${round}.json`);
      const child = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          process.argv[1],
          ...forwarded,
          ...['--rounds', '1', '--round-output', output, '--build-cache', dir],
        ],
        { stdio: 'inherit' },
      );
      if (child.status !== 0) throw new Error(`round ${round} exited with ${child.status ?? child.signal}`);
      results.push(z.array(SectionResultSchema).parse(JSON.parse(await readFile(output, 'utf8'))));
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runSection(
  section: Section,
  options: BenchOptions,
  log: (message: string) => void,
): Promise<SectionResult> {
  const ranAt = new Date().toISOString();
  const base = { name: section.name, title: section.title, ran_at: ranAt, load_average: loadavg()[0] };
  if (isPending(section)) {
    log(`pending: ${section.pending}`);
    return {
      ...base,
      status: 'pending',
      seconds: 0,
      notes: [section.pending],
      rows: [],
      pending_targets: [],
    };
  }
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  log('starting');
  try {
    const { pendingTargets = [], ...outcome } = await section.run({ log, options });
    log(`${outcome.status} in ${seconds().toFixed(0)} s`);
    for (const note of outcome.status === 'skipped' ? outcome.notes : []) log(note);
    return { ...base, ...outcome, pending_targets: pendingTargets, seconds: seconds() };
  } catch (error) {
    // One broken section must not cost the others' figures; the run still exits non-zero.
    console.error(error);
    return {
      ...base,
      status: 'failed',
      seconds: seconds(),
      notes: [`failed: ${(error as Error).message}`],
      rows: [],
      pending_targets: [],
    };
  }
}

function printTargets(sections: readonly SectionResult[]): void {
  for (const section of sections) {
    for (const row of section.rows.filter((r) => r.target)) {
      const verdict = row.target!.met ? 'MET   ' : 'MISSED';
      console.log(
        `${verdict} ${section.name}: ${row.group}: ${row.figure} = ${row.median.toPrecision(4)} ${row.unit} (target ${row.target!.text})`,
      );
    }
    for (const pending of section.pending_targets) {
      console.log(`PENDING ${section.name}: ${pending.text} (${pending.reason})`);
    }
  }
}

process.exitCode = await main();
