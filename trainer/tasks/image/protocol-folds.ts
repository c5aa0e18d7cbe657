import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../../../shared/artifacts/atomic-fs.ts';
import { type BackendInfo, describeBackend } from '../../backend/index.ts';
import { pairedGainOverSeeds } from '../../eval/paired-gain.ts';
import {
  ClassDisjointOptionsSchema,
  type ClassDisjointPlan,
  type ClassDisjointRun,
  classDisjointFolds,
  itemsOfClasses,
  summariseRuns,
} from '../../eval/protocol.ts';
import { readRunFile, runPath } from '../../pipeline/run-dir.ts';
import { formatMetrics } from '../../train/loop.ts';
import type { ProgressReporter } from '../../train/progress.ts';
import { initCnn } from './cnn.ts';
import { type ImageConfig, parseImageConfig } from './config.ts';
import {
  evaluateCnn,
  evaluateRawPixels,
  HEADLINE_METRICS,
  headline,
  marginOverBaselines,
} from './image-metrics.ts';
import { type ImageSet, selectImages } from './image-set.ts';
import { loadImageDataset } from './load-dataset.ts';
import type { FoldProtocolReport, FoldRunResult, SeedBaselines } from './protocol-report.ts';
import { foldProtocolMarkdown } from './protocol-table.ts';
import { ImageTrainRunInfoSchema, trainImageStage } from './stages/train.ts';
import { loadTrainedImageModel } from './stages/weights.ts';

/** `dml-edge protocol`'s settings: the fold plan plus a training budget per (seed, fold) run. */
export const FoldProtocolOptionsSchema = ClassDisjointOptionsSchema.extend({
  /** Overrides the config's train.maxMinutes for every run, so the whole protocol fits a budget. */
  minutesPerRun: z.number().positive().optional(),
});
export type FoldProtocolOptions = z.input<typeof FoldProtocolOptionsSchema>;

export const PROTOCOL_FILES = { json: 'protocol.json', markdown: 'protocol.md' } as const;

/**
 * The class-disjoint protocol with k folds and several seeds (Musgrave et al. 2020, see
 * trainer/eval/protocol.ts) for an image config: the config's data, model, loss and training settings,
 * with its protocol replaced run by run. Each (seed, fold) run trains in `dir/seed-<s>-fold-<f>` on the
 * other folds' classes, selects its checkpoint on the held-out fold's classes and is tested on the test
 * half, never seen before; the raw-pixel and untrained-CNN baselines are measured on the same test images
 * per seed. A run folder that already holds a finished training is reused, so an interrupted protocol
 * resumes. Writes protocol.json after every run and protocol.md at the end.
 */
export async function runFoldProtocol(options: {
  config: ImageConfig;
  protocol: FoldProtocolOptions;
  dir: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}): Promise<FoldProtocolReport> {
  const { config, dir, backend, progress } = options;
  const {
    folds,
    seeds,
    selectOn,
    minutesPerRun = config.train.maxMinutes,
  } = FoldProtocolOptionsSchema.parse(options.protocol);
  const dataset = loadImageDataset(config);
  const plan = classDisjointFolds(dataset.train.labels, { folds, seeds, selectOn });
  // Every run's config is checked before the first one trains: a bad fold must not waste the others.
  const runConfigs = plan.runs.map((run) =>
    foldConfig(config, plan, run, { folds, selectOn, minutesPerRun }),
  );
  const test = selectImages(dataset.test, itemsOfClasses(dataset.test.labels, plan.testClasses));
  const names = (classes: number[]) => classes.map((c) => test.classNames[c]).join(', ');
  const foldsOf = selectOn === 'classes' ? '' : "each class's images of ";
  progress.log(
    `class-disjoint protocol: ${folds} folds of ${foldsOf}${names(plan.trainClasses)} x seeds ${seeds.join(', ')}; ` +
      `test on ${names(plan.testClasses)} (${test.count} test images); at most ${minutesPerRun} min per run`,
  );
  mkdirSync(dir, { recursive: true });
  const report: FoldProtocolReport = {
    config,
    backend: describeBackend(backend),
    data: { dir: dataset.dir, fingerprint: dataset.fingerprint },
    classNames: test.classNames,
    trainClasses: plan.trainClasses,
    testClasses: plan.testClasses,
    testImages: test.count,
    folds,
    selectOn,
    seeds,
    minutesPerRun,
    baselines: [],
    runs: [],
    summary: { trained: {}, rawPixels: {}, untrained: {}, marginOverBaselines: {} },
  };
  const previous = previousMeasurements(dir, report);
  report.baselines.push(...previous.baselines);
  for (const [i, run] of plan.runs.entries()) {
    progress.log(
      `== seed ${run.seed}, fold ${run.fold + 1}/${folds}: train on ${names(run.trainClasses)}; ` +
        (selectOn === 'classes'
          ? `select on ${names(run.validationClasses)}`
          : `select on slice ${run.fold + 1} of ${folds} of their images`),
    );
    const measured = previous.runs.find((r) => r.seed === run.seed && r.fold === run.fold);
    if (measured) progress.log(`  ${measured.dir} was measured before: reused`);
    report.runs.push(
      measured ??
        (await trainAndTest({
          config: runConfigs[i],
          run,
          test,
          baselines: baselinesOf(report.baselines, run.seed, () =>
            measureBaselines(runConfigs[i], test, progress),
          ),
          protocolDir: dir,
          backend,
          progress,
        })),
    );
    report.summary = summarise(report);
    writeJsonAtomicSync(join(dir, PROTOCOL_FILES.json), report);
  }
  writeFileAtomicSync(join(dir, PROTOCOL_FILES.markdown), foldProtocolMarkdown(report));
  return report;
}

/**
 * What an interrupted protocol in `dir` measured before (its protocol.json), so a resumed run neither
 * retrains nor re-measures; refused when it was measured with another config, dataset or budget.
 */
function previousMeasurements(
  dir: string,
  report: FoldProtocolReport,
): Pick<FoldProtocolReport, 'baselines' | 'runs'> {
  const path = join(dir, PROTOCOL_FILES.json);
  if (!existsSync(path)) return { baselines: [], runs: [] };
  const previous = JSON.parse(readFileSync(path, 'utf8')) as FoldProtocolReport;
  const setting = (r: FoldProtocolReport) =>
    JSON.stringify([r.config, r.data.fingerprint, r.minutesPerRun, r.selectOn ?? 'classes', r.folds]);
  if (setting(previous) !== setting(report)) {
    throw new Error(
      `${path} was measured with another config, dataset, --minutes, --folds or --select-on: resume with the same ones, or start a new run`,
    );
  }
  return previous;
}

/** The config of one (seed, fold) run: an evaluation run (no index) with the fold's classes or images. */
function foldConfig(
  config: ImageConfig,
  plan: ClassDisjointPlan,
  run: ClassDisjointRun,
  options: { folds: number; selectOn: 'classes' | 'images'; minutesPerRun: number },
): ImageConfig {
  const classesPerBatch = config.sampler.batchSize / config.sampler.m;
  if (run.trainClasses.length < classesPerBatch) {
    throw new Error(
      `fold ${run.fold + 1} trains on ${run.trainClasses.length} classes but every batch needs ` +
        `${classesPerBatch} (sampler.batchSize / sampler.m): lower sampler.batchSize or use fewer folds`,
    );
  }
  return parseImageConfig(
    {
      ...config,
      index: undefined,
      seed: run.seed,
      protocol:
        options.selectOn === 'classes'
          ? {
              kind: 'class-disjoint',
              trainClasses: run.trainClasses,
              validationClasses: run.validationClasses,
              testClasses: plan.testClasses,
            }
          : {
              kind: 'class-disjoint-images',
              trainClasses: run.trainClasses,
              testClasses: plan.testClasses,
              folds: options.folds,
              fold: run.fold,
            },
      train: { ...config.train, maxMinutes: options.minutesPerRun },
    },
    `${config.name}, seed ${run.seed}, fold ${run.fold + 1}`,
  );
}

function baselinesOf(known: SeedBaselines[], seed: number, measure: () => SeedBaselines): SeedBaselines {
  const found = known.find((b) => b.seed === seed);
  if (found) return found;
  const measured = measure();
  known.push(measured);
  return measured;
}

function measureBaselines(config: ImageConfig, test: ImageSet, progress: ProgressReporter): SeedBaselines {
  const rawPixels = headline(evaluateRawPixels(test, config.seed));
  const untrained = headline(
    evaluateCnn(initCnn(config.model, config.seed), test, config.normalization, config.seed),
  );
  progress.log(`  raw pixels:    ${formatMetrics(rawPixels)}`);
  progress.log(`  untrained CNN: ${formatMetrics(untrained)}`);
  return { seed: config.seed, rawPixels, untrained };
}

/** Trains one (seed, fold) run, unless its folder holds a finished training, and tests its best checkpoint. */
async function trainAndTest(options: {
  config: ImageConfig;
  run: ClassDisjointRun;
  test: ImageSet;
  baselines: SeedBaselines;
  protocolDir: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}): Promise<FoldRunResult> {
  const { config, run, test, baselines, protocolDir, backend, progress } = options;
  const name = `seed-${run.seed}-fold-${run.fold + 1}`;
  const runDir = join(protocolDir, name);
  if (existsSync(runPath(runDir, 'run'))) progress.log(`  ${name} has finished training: reused`);
  else {
    const runId = `${basename(protocolDir)}/${name}`;
    await trainImageStage({ config, runDir, runId, version: name, backend, progress });
  }
  const info = readRunFile(runDir, 'run', ImageTrainRunInfoSchema);
  const metrics = headline(
    evaluateCnn(loadTrainedImageModel(runDir).weights, test, config.normalization, run.seed),
  );
  progress.log(`  trained CNN:   ${formatMetrics(metrics)}`);
  return {
    ...run,
    dir: name,
    training: {
      stopReason: info.stopReason,
      steps: info.steps,
      bestStep: info.bestStep,
      seconds: info.seconds,
      samplesPerSecond: info.samplesPerSecond,
      trainImages: info.trainImages,
      validationImages: info.validationImages,
    },
    test: metrics,
    marginOverBaselines: marginOverBaselines(metrics, [baselines.rawPixels, baselines.untrained]),
  };
}

function summarise(report: FoldProtocolReport): FoldProtocolReport['summary'] {
  return {
    trained: summariseRuns(report.runs.map((r) => r.test)),
    rawPixels: summariseRuns(report.baselines.map((b) => b.rawPixels)),
    untrained: summariseRuns(report.baselines.map((b) => b.untrained)),
    marginOverBaselines: pairedGainOverSeeds(
      report.runs,
      report.baselines.map((b) => ({ seed: b.seed, baselines: [b.rawPixels, b.untrained] })),
      HEADLINE_METRICS,
    ),
  };
}
