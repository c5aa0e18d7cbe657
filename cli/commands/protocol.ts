import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeBackend, initBackend } from '../../trainer/backend/index.ts';
import { formatMeanWithCI } from '../../trainer/eval/protocol.ts';
import { newRunId } from '../../trainer/pipeline/run-dir.ts';
import { loadImageConfig } from '../../trainer/tasks/image/config.ts';
import { HEADLINE_LABELS, HEADLINE_METRICS } from '../../trainer/tasks/image/image-metrics.ts';
import { PROTOCOL_FILES, runFoldProtocol } from '../../trainer/tasks/image/protocol-folds.ts';
import { createProgress } from '../../trainer/train/progress.ts';
import { type BackendFlag, backendOption, runsOption, wholeNumber } from '../options.ts';

const DEFAULT_CONFIG = 'configs/fashion-mnist-disjoint.json';

interface ProtocolFlags extends BackendFlag {
  config: string;
  folds: number;
  selectOn?: 'classes' | 'images';
  seeds: number[];
  minutes?: number;
  runs: string;
  run?: string;
}

function seedList(text: string): number[] {
  if (!/^\d+(,\d+)*$/.test(text))
    throw new InvalidArgumentError('a comma-separated list of seeds, e.g. 1,2,3');
  return text.split(',').map(Number);
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new InvalidArgumentError(`expected a positive number; got '${text}'`);
  return value;
}

/**
 * `dml-edge protocol`: the class-disjoint protocol with k folds x seeds on an image config (see
 * trainer/tasks/image/protocol-folds.ts). Progress goes to stderr, the summary table to stdout.
 */
export function protocolCommand(): Command {
  return new Command('protocol')
    .description(
      'class-disjoint protocol: one model per (seed, fold), test on unseen classes, mean and 95% CI',
    )
    .addOption(
      new Option('--config <file>', 'image config: data, model, loss, training').default(DEFAULT_CONFIG),
    )
    .addOption(
      new Option('--folds <k>', 'folds over the training classes (each needs 2+) or over their images')
        .argParser((text) => {
          const folds = wholeNumber(text);
          if (folds < 2) throw new InvalidArgumentError('at least 2 folds');
          return folds;
        })
        .default(2),
    )
    .addOption(
      new Option(
        '--select-on <what>',
        "what a run's held-out fold is: classes (2+ each) or a slice of every training class's images " +
          '(default: images for a config whose protocol is class-disjoint-images, classes otherwise)',
      ).choices(['classes', 'images']),
    )
    .addOption(
      new Option('--seeds <list>', 'seeds, comma-separated; every fold runs once per seed')
        .argParser(seedList)
        .default([1, 2, 3], '1,2,3'),
    )
    .addOption(
      new Option(
        '--minutes <m>',
        "training budget per run (default: the config's train.maxMinutes)",
      ).argParser(positiveNumber),
    )
    .addOption(backendOption())
    .addOption(runsOption())
    .addOption(
      new Option('--run <id>', 'resume a protocol run under --runs: finished (seed, fold) runs are reused'),
    )
    .action(async (flags: ProtocolFlags) => {
      const config = loadImageConfig(flags.config);
      const id = flags.run ?? newRunId(`${config.name}-protocol`).id;
      const dir = resolve(flags.runs, id);
      const backend = await initBackend(flags.backend ?? config.backend);
      const progress = createProgress();
      progress.log(`protocol run ${id} in ${dir}; TensorFlow.js backend: ${describeBackend(backend)}`);
      const report = await runFoldProtocol({
        config,
        protocol: {
          folds: flags.folds,
          seeds: flags.seeds,
          selectOn:
            flags.selectOn ?? (config.protocol.kind === 'class-disjoint-images' ? 'images' : 'classes'),
          minutesPerRun: flags.minutes,
        },
        dir,
        backend,
        progress,
      });
      const cells = (metrics: (typeof report.summary)['trained'], signed = false) =>
        HEADLINE_METRICS.map((m) => `${HEADLINE_LABELS[m]} ${formatMeanWithCI(metrics[m], { signed })}`).join(
          ', ',
        );
      process.stdout.write(
        [
          `trained CNN (${report.runs.length} runs): ${cells(report.summary.trained)}`,
          `raw pixels: ${cells(report.summary.rawPixels)}`,
          `untrained CNN: ${cells(report.summary.untrained)}`,
          `gain over the better baseline, paired by seed (${report.seeds.length} ` +
            `${report.seeds.length === 1 ? 'seed' : 'seeds'}, folds averaged): ` +
            cells(report.summary.marginOverBaselines, true),
          `tables: ${resolve(dir, PROTOCOL_FILES.markdown)}; every figure: ${resolve(dir, PROTOCOL_FILES.json)}`,
          '',
        ].join('\n'),
      );
    });
}
