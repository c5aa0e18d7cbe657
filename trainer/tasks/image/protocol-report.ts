import type { ClassDisjointRun, MeanWithCI } from '../../eval/protocol.ts';
import type { ImageConfig } from './config.ts';
import type { ImageTrainRunInfo } from './stages/train.ts';

/** protocol.json, as `dml-edge protocol` (protocol-folds.ts) writes it and protocol-table.ts renders it. */

type Metrics = Record<string, number>;

export interface FoldRunResult extends ClassDisjointRun {
  /** The run folder, relative to the protocol folder. */
  dir: string;
  training: Pick<
    ImageTrainRunInfo,
    'stopReason' | 'steps' | 'bestStep' | 'seconds' | 'samplesPerSecond' | 'trainImages' | 'validationImages'
  >;
  /** Headline metrics of the best checkpoint on the test classes. */
  test: Metrics;
  /** Per metric: test minus the better of this seed's two baselines (> 0 beats both). */
  marginOverBaselines: Metrics;
}

/** The baselines depend on the seed only (the untrained CNN's initialisation, k-means' start). */
export interface SeedBaselines {
  seed: number;
  rawPixels: Metrics;
  untrained: Metrics;
}

export interface FoldProtocolReport {
  config: ImageConfig;
  backend: string;
  data: { dir: string; fingerprint: string };
  classNames: readonly string[];
  trainClasses: number[];
  testClasses: number[];
  testImages: number;
  folds: number;
  /** What each run's held-out fold is: classes (Musgrave et al.) or images of the training classes. */
  selectOn: 'classes' | 'images';
  seeds: number[];
  minutesPerRun: number;
  baselines: SeedBaselines[];
  runs: FoldRunResult[];
  /**
   * Mean and 95% CI: trained over the runs, baselines over the seeds; the margin over the better baseline
   * paired by seed (folds averaged within a seed, t interval over the seeds: see pairedGainOverSeeds).
   */
  summary: {
    trained: Record<string, MeanWithCI>;
    rawPixels: Record<string, MeanWithCI>;
    untrained: Record<string, MeanWithCI>;
    marginOverBaselines: Record<string, MeanWithCI>;
  };
}
