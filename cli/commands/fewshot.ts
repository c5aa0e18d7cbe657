import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import type { FewShotCase } from '../../trainer/fewshot/case.ts';
import { type FewShotResult, fewShotTable } from '../../trainer/fewshot/fewshot-table.ts';
import { runEpisodes } from '../../trainer/fewshot/run-episodes.ts';
import { openRun } from '../../trainer/pipeline/run-target.ts';
import { imageRunCase } from '../../trainer/tasks/image/fewshot-case.ts';
import { imageTask } from '../../trainer/tasks/image/task.ts';
import { wordnetLexnameCase } from '../../trainer/tasks/text/fewshot-case.ts';
import { type ArtifactsFlag, artifactsDir, artifactsOption, runsOption, wholeNumber } from '../options.ts';
import { publishedVersionDir } from '../published-version.ts';

interface FewShotFlags extends ArtifactsFlag {
  model?: string;
  version?: string;
  run?: string;
  runs: string;
  dataset: 'wordnet' | 'image-run';
  ways: number;
  shots: number[];
  queries: number;
  episodes: number;
  seed: number;
  out: string;
}

function shotList(text: string): number[] {
  if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(text))
    throw new InvalidArgumentError('a comma-separated list of shot counts, e.g. 1,5,10');
  return text.split(',').map(Number);
}

function atLeast(minimum: number) {
  return (text: string) => {
    const value = wholeNumber(text);
    if (value < minimum) throw new InvalidArgumentError(`expected at least ${minimum}; got ${value}`);
    return value;
  };
}

/** `dml-edge fewshot`: N-way K-shot episodes on classes the model never trained on, beside baselines. */
async function fewShot(flags: FewShotFlags): Promise<void> {
  const started = performance.now();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  let fewShotCase: FewShotCase;
  if (flags.dataset === 'wordnet') {
    if (!flags.model) throw new Error('--dataset wordnet takes a published text model: --model <name>');
    fewShotCase = await wordnetLexnameCase(
      await publishedVersionDir(artifactsDir(flags), flags.model, flags.version),
    );
  } else {
    if (!flags.run) throw new Error('--dataset image-run takes an image run: --run <id> (under --runs)');
    const { runDir, loaded } = openRun(flags.runs, flags.run);
    if (loaded.task !== imageTask.name)
      throw new Error(
        `run ${flags.run} is not an image run: --dataset image-run takes an image-similarity run`,
      );
    await initBackend(loaded.config.backend);
    fewShotCase = imageRunCase(runDir);
  }
  const classes = new Set(fewShotCase.labels).size;
  log(`${fewShotCase.model}: ${fewShotCase.description}, ${classes} classes`);
  const plan = {
    ways: flags.ways,
    shots: flags.shots,
    queries: flags.queries,
    episodes: flags.episodes,
    seed: flags.seed,
  };
  const rows = runEpisodes(fewShotCase.labels, fewShotCase.contenders, plan, log);
  const result: FewShotResult = {
    model: fewShotCase.model,
    description: fewShotCase.description,
    ...plan,
    classes,
    rows,
    seconds: (performance.now() - started) / 1000,
  };
  writeJsonAtomicSync(resolve(flags.out), result);
  process.stdout.write(
    `${result.model}, ${result.description}; ${flags.episodes} episodes of ${flags.queries} queries per class, ` +
      `seed ${flags.seed}; mean accuracy ± 95% interval:\n\n${fewShotTable(result)}\n`,
  );
}

export function fewShotCommand(): Command {
  return new Command('fewshot')
    .description(
      'N-way K-shot classification on classes the model never trained on, beside baselines on the same episodes; writes fewshot.json',
    )
    .addOption(
      new Option(
        '--dataset <name>',
        "wordnet: glosses into lexicographer files; image-run: an image run's test classes",
      )
        .choices(['wordnet', 'image-run'])
        .default('wordnet'),
    )
    .addOption(new Option('--model <name>', 'a published text model (--dataset wordnet)'))
    .addOption(new Option('--version <v>', 'a published version (default: the current one)'))
    .addOption(new Option('--run <id>', 'an image run under --runs (--dataset image-run)'))
    .addOption(new Option('--ways <n>', 'classes per episode').argParser(atLeast(2)).default(5))
    .addOption(
      new Option('--shots <list>', 'labelled examples per class, comma-separated')
        .argParser(shotList)
        .default([1, 5]),
    )
    .addOption(
      new Option('--queries <n>', 'query items per class per episode').argParser(atLeast(1)).default(15),
    )
    .addOption(new Option('--episodes <n>', 'episodes per shot count').argParser(atLeast(2)).default(600))
    .addOption(new Option('--seed <n>', 'seed of the episode draws').argParser(atLeast(0)).default(1))
    .addOption(new Option('--out <file>', 'where to write the results JSON').default('fewshot.json'))
    .addOption(artifactsOption())
    .addOption(runsOption())
    .action(fewShot);
}
