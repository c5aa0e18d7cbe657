import { resolve } from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '../shared/validation.ts';
import { BACKEND_CHOICES, initBackend } from '../trainer/backend/index.ts';
import { formatMeanWithCI } from '../trainer/eval/protocol.ts';
import { loadImageConfig } from '../trainer/image/image-config.ts';
import { HEADLINE_LABELS, HEADLINE_METRICS } from '../trainer/image/image-metrics.ts';
import { PROTOCOL_FILES, runFoldProtocol } from '../trainer/pipeline/protocol-folds.ts';
import { newRunId } from '../trainer/pipeline/run-dir.ts';
import { createProgress } from '../trainer/train/progress.ts';
import type { Command } from './commands.ts';

const DEFAULT_CONFIG = 'configs/fashion-mnist-disjoint.json';

const ProtocolArgsSchema = z.object({
  config: z.string().default(DEFAULT_CONFIG),
  folds: z.coerce.number().int().min(2).default(2),
  seeds: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of seeds, e.g. 1,2,3')
    .default('1,2,3')
    .transform((list) => list.split(',').map(Number)),
  minutes: z.coerce.number().positive().optional(),
  backend: z.enum(BACKEND_CHOICES).optional(),
  runs: z.string().default('runs'),
  run: z.string().optional(),
});

/**
 * `dml-edge protocol`: the class-disjoint protocol with k folds x seeds on an image config (see
 * trainer/pipeline/protocol-folds.ts). Progress goes to stderr, the summary table to stdout.
 */
export const protocolCommand: Command = {
  summary: 'class-disjoint protocol: one model per (seed, fold), test on unseen classes, mean and 95% CI',
  options: {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
    folds: { type: 'string' },
    seeds: { type: 'string' },
    minutes: { type: 'string' },
    backend: { type: 'string' },
    runs: { type: 'string' },
    run: { type: 'string' },
  },
  help: [
    ['--config <file>', `image config: data, model, loss, training (default ${DEFAULT_CONFIG})`],
    ['--folds <k>', 'folds over the training half of the classes; each needs 2+ classes (default 2)'],
    ['--seeds <list>', 'seeds, comma-separated; every fold runs once per seed (default 1,2,3)'],
    ['--minutes <m>', "training budget per run (default: the config's train.maxMinutes)"],
    ['--backend <name>', `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')} (default: the config's)`],
    ['--runs <dir>', 'where runs live (default runs)'],
    ['--run <id>', 'resume a protocol run under --runs: finished (seed, fold) runs are reused'],
  ],
  async run(values) {
    const args = parseOrThrow(ProtocolArgsSchema, values, 'dml-edge protocol: invalid options');
    const config = loadImageConfig(args.config);
    const id = args.run ?? newRunId(`${config.name}-protocol`).id;
    const dir = resolve(args.runs, id);
    const backend = await initBackend(args.backend ?? config.backend);
    const progress = createProgress();
    progress.log(`protocol run ${id} in ${dir}; TensorFlow.js backend: ${backend.name} (${backend.package})`);
    const report = await runFoldProtocol({
      config,
      protocol: { folds: args.folds, seeds: args.seeds, minutesPerRun: args.minutes },
      dir,
      backend,
      progress,
    });
    const cells = (metrics: (typeof report.summary)['trained']) =>
      HEADLINE_METRICS.map((m) => `${HEADLINE_LABELS[m]} ${formatMeanWithCI(metrics[m])}`).join(', ');
    process.stdout.write(
      [
        `trained CNN (${report.runs.length} runs): ${cells(report.summary.trained)}`,
        `raw pixels: ${cells(report.summary.rawPixels)}`,
        `untrained CNN: ${cells(report.summary.untrained)}`,
        `tables: ${resolve(dir, PROTOCOL_FILES.markdown)}; every figure: ${resolve(dir, PROTOCOL_FILES.json)}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
