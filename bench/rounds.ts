import type { Row, SectionResult, SectionStatus } from './results.ts';
import { quantile } from './stats.ts';

/**
 * Independent rounds of the same sections (each a fresh process, see run.ts) merged into one result per
 * section. A row's median is the median of its rounds' medians, its min and max the extremes of all
 * rounds, its p99 the worst round's, its runs their sum, and `rounds` lists every round's median. A target
 * is met only when every round met it; `worst` is the round median furthest on the wrong side.
 */
export function mergeRounds(rounds: readonly (readonly SectionResult[])[]): SectionResult[] {
  if (rounds.length === 0) throw new Error('no round to merge');
  if (rounds.length === 1) return [...rounds[0]];
  const names = [...new Set(rounds.flatMap((round) => round.map((section) => section.name)))];
  return names.map((name) => {
    const results = rounds.flatMap((round) => round.filter((section) => section.name === name));
    return mergeSection(results, rounds.length);
  });
}

function mergeSection(results: readonly SectionResult[], roundCount: number): SectionResult {
  const [first] = results;
  const status = worstStatus(results.map((section) => section.status));
  const loads = results.map((section) => section.load_average.toFixed(1)).join(', ');
  const missing = roundCount - results.length;
  const notes = [
    `Measured in ${roundCount} independent rounds (a fresh process each; load average ${loads} when each ` +
      `started): a figure is the median of the rounds' medians, a target MET only when every round met it.` +
      (missing > 0 ? ` ${missing} round(s) did not report this section.` : ''),
    ...first.notes,
  ];
  return {
    ...first,
    status,
    seconds: results.reduce((sum, section) => sum + section.seconds, 0),
    load_average: Math.max(...results.map((section) => section.load_average)),
    notes,
    rows: mergeRows(
      results.map((section) => section.rows),
      roundCount,
    ),
    pending_targets: first.pending_targets,
  };
}

const SEVERITY: SectionStatus[] = ['ran', 'pending', 'skipped', 'failed'];

function worstStatus(statuses: readonly SectionStatus[]): SectionStatus {
  return statuses.reduce((worst, status) =>
    SEVERITY.indexOf(status) > SEVERITY.indexOf(worst) ? status : worst,
  );
}

function mergeRows(rounds: readonly (readonly Row[])[], roundCount: number): Row[] {
  // The unit too: a table may give one figure twice, as a latency and as a throughput.
  const key = (row: Row) => `${row.group}\u0000${row.figure}\u0000${row.unit}`;
  const byKey = new Map<string, Row[]>();
  for (const rows of rounds) {
    for (const row of rows) byKey.set(key(row), [...(byKey.get(key(row)) ?? []), row]);
  }
  return [...byKey.values()].map((rows) => mergeRow(rows, roundCount));
}

/** The rounds' notes: one when they agree, else each round's in turn (a figure may say how each round got it). */
function roundNotes(rows: readonly Row[]): string | undefined {
  const notes = rows.map((row) => row.note ?? '');
  if (new Set(notes).size > 1) return `by round: ${notes.map((note) => note || '-').join(' / ')}`;
  return notes[0] || undefined;
}

/** A target is met only when every round measured it and met it: a round that lacks the row counts as missed. */
function mergeRow(rows: readonly Row[], roundCount: number): Row {
  const [first] = rows;
  const medians = rows.map((row) => row.median);
  const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
  const mins = defined(rows.map((row) => row.min));
  const maxes = defined(rows.map((row) => row.max));
  const p99s = defined(rows.map((row) => row.p99));
  const merged: Row = {
    ...first,
    median: quantile(medians, 0.5),
    runs: rows.reduce((sum, row) => sum + row.runs, 0),
    rounds: medians,
    ...(mins.length > 0 ? { min: Math.min(...mins) } : {}),
    ...(maxes.length > 0 ? { max: Math.max(...maxes) } : {}),
    ...(p99s.length > 0 ? { p99: Math.max(...p99s) } : {}),
  };
  const note = roundNotes(rows);
  const notes = [
    ...(rows.length < roundCount ? [`measured in ${rows.length} of ${roundCount} rounds`] : []),
    ...(note ? [note] : []),
  ];
  if (notes.length > 0) merged.note = notes.join('; ');
  const targets = rows.flatMap((row) => (row.target ? [row.target] : []));
  if (first.target) {
    const better = first.target.better;
    const worst = better === 'lower' ? Math.max(...medians) : Math.min(...medians);
    merged.target = {
      ...first.target,
      met: targets.length === roundCount && targets.every((t) => t.met),
      rounds_met: targets.filter((t) => t.met).length,
      ...(better ? { worst } : {}),
    };
  }
  return merged;
}
