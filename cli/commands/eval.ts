import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EVAL_DATASETS, evaluatePublishedModel } from '../../trainer/tasks/text/eval-published.ts';
import { formatMetrics } from '../../trainer/train/loop.ts';
import { type ArtifactsFlag, artifactsDir, artifactsOption } from '../options.ts';
import { publishedVersionDir } from '../published-version.ts';

interface EvalFlags extends ArtifactsFlag {
  model: string;
  version?: string;
  dataset: string;
  split: 'test' | 'validation';
  file?: 'model' | 'model_int8';
  out: string;
}

/** `dml-edge eval`: evaluates a published model version (the current one by default) on a dataset. */
async function evalPublished(flags: EvalFlags): Promise<void> {
  const result = await evaluatePublishedModel({
    versionDir: await publishedVersionDir(artifactsDir(flags), flags.model, flags.version),
    dataset: flags.dataset,
    split: flags.split,
    file: flags.file,
    out: resolve(flags.out),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `${result.model}@${result.version} (${result.file}) on ${result.dataset}${result.split ? ` ${result.split}` : ''}: ${formatMetrics(result.metrics)}\n`,
  );
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('evaluate a published model on a dataset, as the edge serves it; writes metrics.json')
    .addOption(new Option('--model <name>', 'a published model').makeOptionMandatory())
    .addOption(new Option('--version <v>', 'a published version (default: the current one)'))
    .addOption(
      new Option('--dataset <name>', 'what to evaluate on').choices(EVAL_DATASETS).default('wordnet'),
    )
    .addOption(
      new Option('--split <s>', 'the held-out split (wordnet)')
        .choices(['test', 'validation'])
        .default('test'),
    )
    .addOption(
      new Option('--file <f>', 'model (fp32) or model_int8 (default: the file the manifest serves)').choices([
        'model',
        'model_int8',
      ]),
    )
    .addOption(new Option('--out <file>', 'where to write the metrics JSON').default('metrics.json'))
    .addOption(artifactsOption())
    .action(evalPublished);
}
