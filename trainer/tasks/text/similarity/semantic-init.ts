import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import type { TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { runPath } from '../../../pipeline/run-dir.ts';
import { loadTrainedTextModel } from '../stages/weights.ts';
import { bucketDocumentFrequency } from './idf-init.ts';
import type { SemanticInit } from './semantic-init-config.ts';

/** The run folders a semanticInit names, in column order, bare names resolved in `runsDir`. */
function semanticRuns(init: SemanticInit, runsDir: string): string[] {
  return (typeof init.run === 'string' ? [init.run] : init.run).map((run) => resolveRun(run, runsDir));
}

/** run.json is written when training ends: a run still training, or killed, is not chosen. */
const hasFinishedTraining = (runDir: string) => existsSync(runPath(runDir, 'run'));

function resolveRun(run: string, runsDir: string): string {
  if (run.includes('/')) return run;
  const byId = join(runsDir, run);
  if (existsSync(byId)) return byId;
  // newRunId's ids are `<config name>-YYYYMMDD-HHMMSS`: sorted by name, the last is the newest.
  const isRunOf = (id: string) => id.startsWith(`${run}-`) && /^\d{8}-\d{6}$/.test(id.slice(run.length + 1));
  const ids = existsSync(runsDir) ? readdirSync(runsDir).filter(isRunOf) : [];
  const newest = ids
    .sort()
    .reverse()
    .find((id) => hasFinishedTraining(join(runsDir, id)));
  if (newest === undefined) {
    throw new Error(
      `semanticInit.run: "${run}" is neither a run in ${runsDir} nor a config with a trained run there. ` +
        `Train it first (\`dml-edge experiment --config configs/${run}.json\`) or name a run folder.`,
    );
  }
  return join(runsDir, newest);
}

/**
 * Writes the trained models into `weights` (see semantic-init-config.ts) and returns their run folders. A
 * trained model may have more buckets: hashing the same features with the same seed, its bucket b lands
 * in bucket b mod `buckets`, so its rows are folded by their document frequency over `texts` (a frequent
 * feature keeps its row).
 */
export function applySemanticInit(
  weights: TextEncoderWeights,
  featurizer: TextFeaturizer,
  init: SemanticInit,
  texts: readonly string[],
  runsDir: string,
): string[] {
  const runs = semanticRuns(init, runsDir);
  const blocks = runs.map((run) => loadSemanticBlock(run, featurizer, weights.buckets));
  const trainedDim = blocks.reduce((sum, b) => sum + b.weights.embeddingDim, 0);
  const trainedOutput = blocks.reduce((sum, b) => sum + b.weights.outputDim, 0);
  const lexicalDim = weights.embeddingDim - trainedDim;
  if (lexicalDim < 1 || weights.outputDim - trainedOutput !== lexicalDim) {
    throw new Error(
      `semanticInit: ${runs.join(' + ')} ${blocks.length > 1 ? 'are' : 'is'} ${trainedDim} -> ${trainedOutput}; ` +
        `the model needs embeddingDim = lexical + ${trainedDim} and outputDim = lexical + ${trainedOutput}`,
    );
  }
  const out = weights.outputDim;
  weights.kernel.fill(0);
  weights.bias.fill(0);
  for (let k = 0; k < lexicalDim; k++) weights.kernel[k * out + k] = init.lexicalScale;
  let column = lexicalDim;
  let output = lexicalDim;
  for (const { weights: source, featurizer: sourceFeaturizer } of blocks) {
    const folded = foldRows(source, weights.buckets, bucketDocumentFrequency(sourceFeaturizer, texts));
    for (let row = 0; row < weights.buckets; row++) {
      const rowValues = folded.subarray(row * source.embeddingDim, (row + 1) * source.embeddingDim);
      weights.table.set(rowValues, row * weights.embeddingDim + column);
    }
    for (let k = 0; k < source.embeddingDim; k++) {
      for (let o = 0; o < source.outputDim; o++) {
        weights.kernel[(column + k) * out + output + o] = source.kernel[k * source.outputDim + o];
      }
    }
    weights.bias.set(source.bias, output);
    column += source.embeddingDim;
    output += source.outputDim;
  }
  return runs;
}

/** A trained run that hashes the same features as `featurizer` into a multiple of `buckets` rows. */
function loadSemanticBlock(run: string, featurizer: TextFeaturizer, buckets: number) {
  if (!existsSync(run)) {
    throw new Error(
      `semanticInit.run: ${run} does not exist. Train the text model it names first ` +
        '(e.g. `dml-edge train --config configs/wordnet-text.json`) and put its run folder here.',
    );
  }
  const trained = loadTrainedTextModel(run);
  if (featurizer.config.seed !== trained.featurizer.config.seed || trained.weights.buckets % buckets !== 0) {
    throw new Error(
      `semanticInit: ${run} hashes differently (featurizer seed ${trained.featurizer.config.seed}, ` +
        `${trained.weights.buckets} buckets): it needs seed ${featurizer.config.seed} and a multiple of ${buckets} buckets`,
    );
  }
  return trained;
}

/** Rows of `source` folded into `buckets` rows: the mean of the rows that land together, weighted by df + 0.1. */
export function foldRows(source: TextEncoderWeights, buckets: number, df: Uint32Array): Float32Array {
  const dim = source.embeddingDim;
  const sums = new Float64Array(buckets * dim);
  const mass = new Float64Array(buckets);
  for (let row = 0; row < source.buckets; row++) {
    const weight = df[row] + 0.1;
    const target = row % buckets;
    mass[target] += weight;
    for (let k = 0; k < dim; k++) sums[target * dim + k] += weight * source.table[row * dim + k];
  }
  return Float32Array.from(sums, (value, i) => value / mass[Math.floor(i / dim)]);
}
