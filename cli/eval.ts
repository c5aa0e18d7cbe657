import { resolve } from 'node:path';
import { readCurrent } from '../shared/artifacts/current.ts';
import { versionDir } from '../shared/artifacts/layout.ts';
import { EVAL_DATASETS, evaluatePublishedModel } from '../trainer/pipeline/eval-published.ts';
import { formatMetrics } from '../trainer/train/loop.ts';

type Values = Record<string, string | boolean | undefined>;

/** `dml-edge eval`: evaluates a published model version (the current one by default) on a dataset. */
export async function evalCommand(values: Values, artifactsDir: string): Promise<number> {
  const model = values.model as string | undefined;
  if (!model) throw new Error('--model <name> is required (a model published under the artifacts directory)');
  const version = (values.version as string | undefined) ?? (await readCurrent(artifactsDir, model))?.version;
  if (!version) throw new Error(`${model} has no current version in ${artifactsDir}; pass --version`);
  const split = String(values.split ?? 'test');
  if (split !== 'test' && split !== 'validation')
    throw new Error(`--split must be test or validation; got '${split}'`);
  const file = values.file as string | undefined;
  if (file !== undefined && file !== 'model' && file !== 'model_int8') {
    throw new Error(`--file must be model (fp32) or model_int8; got '${file}'`);
  }
  const result = await evaluatePublishedModel({
    versionDir: versionDir(artifactsDir, model, version),
    dataset: String(values.dataset ?? 'wordnet'),
    split,
    file,
    out: resolve(String(values.out ?? 'metrics.json')),
  });
  process.stdout.write(
    `${result.model}@${result.version} (${result.file}) on ${result.dataset} ${result.split}: ${formatMetrics(result.metrics)}\n`,
  );
  return 0;
}

export const evalOptions = {
  model: { type: 'string' },
  version: { type: 'string' },
  dataset: { type: 'string' },
  split: { type: 'string' },
  file: { type: 'string' },
  out: { type: 'string' },
  artifacts: { type: 'string' },
} as const;

export const evalHelp: [string, string][] = [
  ['--model <name>', 'a published model'],
  ['--version <v>', 'a published version (default: the current one)'],
  ['--dataset <name>', `what to evaluate on: ${EVAL_DATASETS.join(', ')} (default wordnet)`],
  ['--split <s>', 'test or validation (default test)'],
  ['--file <f>', 'model (fp32) or model_int8 (default: the file the manifest serves)'],
  ['--out <file>', 'where to write the metrics JSON (default metrics.json)'],
  ['--artifacts <dir>', 'published models (default artifacts)'],
];
