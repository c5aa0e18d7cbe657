import { formatMeanWithCI, type MeanWithCI } from '../../eval/protocol.ts';
import { HEADLINE_LABELS, HEADLINE_METRICS } from './image-metrics.ts';
import type { FoldProtocolReport } from './protocol-report.ts';

/** protocol.md: the summary table (mean ± 95% CI half-width) with the baselines, then one row per run. */
export function foldProtocolMarkdown(report: FoldProtocolReport): string {
  const { summary } = report;
  const names = (classes: number[]) => classes.map((c) => report.classNames[c]).join(', ');
  const header = (first: string[]) => [
    `| ${[...first, ...HEADLINE_METRICS.map((m) => HEADLINE_LABELS[m])].join(' | ')} |`,
    `| ${[...first.map(() => '---'), ...HEADLINE_METRICS.map(() => '---:')].join(' | ')} |`,
  ];
  const summaryRow = (label: string, metrics: Record<string, MeanWithCI>, signed = false) => {
    const n = metrics[HEADLINE_METRICS[0]]?.n ?? 0;
    const cells = HEADLINE_METRICS.map((m) => (metrics[m] ? formatMeanWithCI(metrics[m], { signed }) : ''));
    return `| ${[label, String(n), ...cells].join(' | ')} |`;
  };
  const runRow = (run: FoldProtocolReport['runs'][number]) => {
    const { training } = run;
    return `| ${[
      run.seed,
      run.fold + 1,
      names(run.trainClasses),
      report.selectOn === 'images'
        ? `images of them (slice ${run.fold + 1} of ${report.folds})`
        : names(run.validationClasses),
      `${training.steps} (${training.bestStep})`,
      training.stopReason,
      training.samplesPerSecond.toFixed(0),
      ...HEADLINE_METRICS.map((m) => run.test[m].toFixed(4)),
    ].join(' | ')} |`;
  };
  return [
    `### ${report.config.name}: class-disjoint, ${report.folds} folds x ${report.seeds.length} seeds`,
    '',
    `Trains on ${names(report.trainClasses)} (each run holds one fold out for early stopping and checkpoint ` +
      `selection: ${report.selectOn === 'images' ? "a slice of every class's images" : 'classes'}); ` +
      `tests on ${names(report.testClasses)}: ${report.testImages} test images, never seen in ` +
      `training or selection. At most ${report.minutesPerRun} min of training per run on ${report.backend}. ` +
      'Mean ± half-width of the 95% confidence interval (Student t); n is the number of runs for the trained ' +
      'CNN, the number of seeds for the baselines (they depend on the seed only) and for the gain, a paired ' +
      "interval: per seed, the mean of its folds minus that seed's better baseline, then t over the seeds.",
    '',
    ...header(['', 'n']),
    summaryRow('trained CNN', summary.trained),
    summaryRow('raw pixels (L2-normalised)', summary.rawPixels),
    summaryRow('same CNN, untrained', summary.untrained),
    summaryRow('gain over the better baseline (paired by seed)', summary.marginOverBaselines, true),
    '',
    ...header(['seed', 'fold', 'trains on', 'selects on', 'steps (best)', 'stop', 'samples/s']),
    ...report.runs.map(runRow),
    '',
  ].join('\n');
}
