import { Command, Option } from 'commander';
import { initBackend } from '../../trainer/backend/index.ts';
import { loadTextConfig } from '../../trainer/tasks/text/config.ts';
import {
  DEFAULT_EXPERIMENT_LOG,
  runTextSimExperiment,
} from '../../trainer/tasks/text/similarity/experiment.ts';
import { createProgress } from '../../trainer/train/progress.ts';
import { type BackendFlag, backendOption, runsOption } from '../options.ts';

interface ExperimentFlags extends BackendFlag {
  config: string;
  runs: string;
  log?: string;
}

/**
 * `dml-edge experiment`: one text-similarity experiment (train, evaluate, export; nothing published),
 * its STS-B, PAWS and WordNet figures beside the TF-IDF baselines of the same run, appended to a log.
 */
export function experimentCommand(): Command {
  return new Command('experiment')
    .description('train, evaluate and export a text config without publishing; log its figures beside TF-IDF')
    .addOption(
      new Option(
        '--config <file>',
        'a text training config, e.g. configs/text-sts.json',
      ).makeOptionMandatory(),
    )
    .addOption(runsOption())
    .addOption(backendOption())
    .addOption(
      new Option('--log <file>', `the JSON-lines experiment log (default ${DEFAULT_EXPERIMENT_LOG})`),
    )
    .action(async (flags: ExperimentFlags) => {
      const config = loadTextConfig(flags.config);
      const record = await runTextSimExperiment({
        config,
        runsDir: flags.runs,
        backend: await initBackend(flags.backend ?? config.backend),
        progress: createProgress(),
        logPath: flags.log,
      });
      process.stdout.write(`${JSON.stringify(record)}\n`);
    });
}
