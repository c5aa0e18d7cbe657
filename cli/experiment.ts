import { BACKEND_CHOICES, initBackend } from '../trainer/backend/index.ts';
import { loadTextConfig } from '../trainer/config/text-config.ts';
import { DEFAULT_EXPERIMENT_LOG, runTextSimExperiment } from '../trainer/text-sim/experiment.ts';
import { createProgress } from '../trainer/train/progress.ts';
import { backendFlag } from './backend-flag.ts';
import type { Command } from './commands.ts';

/**
 * `dml-edge experiment`: one text-similarity experiment (train, evaluate, export; nothing published),
 * its STS-B, PAWS and WordNet figures beside the TF-IDF baselines of the same run, appended to a log.
 */
export const experimentCommand: Command = {
  summary: 'train, evaluate and export a text config without publishing; log its figures beside TF-IDF',
  options: {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
    runs: { type: 'string' },
    backend: { type: 'string' },
    log: { type: 'string' },
  },
  help: [
    ['--config <file>', 'a text training config (required), e.g. configs/text-sts.json'],
    ['--runs <dir>', 'where runs live (default runs)'],
    ['--backend <name>', `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')} (default from the config)`],
    ['--log <file>', `the JSON-lines experiment log (default ${DEFAULT_EXPERIMENT_LOG})`],
  ],
  async run(values) {
    if (typeof values.config !== 'string') throw new Error('--config <file> is required');
    const config = loadTextConfig(values.config);
    const progress = createProgress();
    const record = await runTextSimExperiment({
      config,
      runsDir: String(values.runs ?? 'runs'),
      backend: await initBackend(backendFlag(values.backend) ?? config.backend),
      progress,
      logPath: values.log as string | undefined,
    });
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  },
};
