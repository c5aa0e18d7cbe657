import { formatMeanWithCI, type MeanWithCI } from '../eval/protocol.ts';
import type { FewShotRow } from './run-episodes.ts';

/** What `dml-edge fewshot` writes (fewshot.json) and prints (the table). */
export interface FewShotResult {
  model: string;
  description: string;
  ways: number;
  shots: number[];
  queries: number;
  episodes: number;
  seed: number;
  classes: number;
  rows: FewShotRow[];
  seconds: number;
}

const percent = (summary: MeanWithCI) =>
  formatMeanWithCI(
    { ...summary, mean: 100 * summary.mean, halfWidth: 100 * summary.halfWidth },
    { digits: 2 },
  );

/** A Markdown table: one row per classifier, one column per shot count, accuracy % ± the 95% half-width. */
export function fewShotTable(result: FewShotResult): string {
  const header = `| ${result.ways}-way accuracy (%) | ${result.shots.map((k) => `${k}-shot`).join(' | ')} |`;
  const rule = `| --- | ${result.shots.map(() => '---:').join(' | ')} |`;
  const lines = result.rows.map(
    (row) =>
      `| ${row.representation}, ${row.method === 'prototype' ? 'nearest prototype' : 'logistic regression'} | ` +
      `${result.shots.map((k) => percent(row.accuracy[String(k)])).join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n');
}
