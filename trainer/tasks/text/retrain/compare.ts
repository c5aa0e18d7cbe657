import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { versionDir } from '../../../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../../../shared/artifacts/verify.ts';
import { TEXT_ENCODER_IO } from '../../../export/onnx-text-encoder.ts';
import { runPath } from '../../../pipeline/run-dir.ts';
import type { Scores } from '../../../registry/schema.ts';
import type { Comparison } from '../../../retrain/comparison.ts';
import type { CompareContext } from '../../../retrain/task.ts';
import { formatMetrics } from '../../../train/loop.ts';
import { parseTextConfig, type TextConfig } from '../config.ts';
import { compareCatalogueQueries } from './catalogue-queries-gate.ts';
import {
  evalSetFromConfig,
  evaluationSynsets,
  type ServedTextModel,
  scoreServedModel,
  type WordNetSplits,
} from './frozen-eval.ts';

/**
 * Evaluates the candidate (its exported file that the edge would serve, trained with `config`) and the
 * champion (its published, verified file) on the model's frozen evaluation set, freezing one first if
 * the model has none.
 */
export async function compareTextWithChampion(
  context: CompareContext,
  config: TextConfig,
  splits: WordNetSplits,
): Promise<Comparison> {
  const { registry, model, runDir, progress } = context;
  const champion = context.champion
    ? await publishedModel(context.artifactsDir, model, context.champion)
    : undefined;

  let set = registry.evalSet(model);
  if (!set) {
    set = registry.freezeEvalSet({
      model,
      ...evalSetFromConfig(splits, champion?.config ?? config),
    });
    progress.log(`froze the evaluation set of ${model}: ${set.items.length} ${set.source}`);
  }
  const usable = evaluationSynsets(splits, set, [config, ...(champion ? [champion.config] : [])]);
  progress.log(
    `comparing on ${usable.synsets.length} frozen synsets (${usable.excluded} left out as seen in training, ` +
      `${usable.missing} gone from WordNet)`,
  );

  const served: ServedTextModel = {
    bytes: await readFile(runPath(runDir, config.serve === 'model' ? 'model' : 'modelInt8')),
    featurizer: config.featurizer,
    io: TEXT_ENCODER_IO,
    dim: config.model.outputDim,
  };
  let candidateScores = await scoreServedModel(served, usable.synsets);
  progress.log(`candidate: ${formatMetrics(candidateScores)}`);
  let championScores: Scores | undefined;
  if (champion) {
    championScores = await scoreServedModel(champion.served, usable.synsets);
    progress.log(`champion ${champion.version}: ${formatMetrics(championScores)}`);
  }
  // The catalogue's questions (a catalogue of synsets, not a labelled CSV), on the same entries for both.
  const { queries, labelled } = config.index;
  if (queries && !labelled) {
    const asked = await compareCatalogueQueries({
      file: queries,
      catalogue: splits.catalogue(config),
      candidate: served,
      champion,
      progress,
    });
    candidateScores = { ...candidateScores, ...asked.candidate };
    if (championScores) championScores = { ...championScores, ...asked.champion };
  }
  return {
    evalSet: {
      sha256: set.sha256,
      size: set.items.length,
      used: usable.synsets.length,
      excluded: usable.excluded,
      missing: usable.missing,
    },
    candidate: candidateScores,
    champion: champion && championScores ? { version: champion.version, scores: championScores } : null,
  };
}

/** A published version's served file (checked against its manifest) and its training config. */
async function publishedModel(
  artifactsDir: string,
  model: string,
  version: string,
): Promise<{ version: string; config: TextConfig; served: ServedTextModel }> {
  const dir = versionDir(artifactsDir, model, version);
  try {
    const manifest = await verifyVersion(dir);
    if (manifest.input.kind !== 'text')
      throw new Error(`it is a ${manifest.input.kind} model, not a text one`);
    return {
      version,
      config: parseTextConfig(manifest.training.config, `the manifest of ${model}@${version}`),
      served: {
        bytes: await readFile(join(dir, manifest.files[manifest.serve].path)),
        featurizer: manifest.input.featurizer,
        io: manifest.input.onnx,
        dim: manifest.embedding.dim,
      },
    };
  } catch (error) {
    throw new Error(`cannot evaluate the champion ${model}@${version}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
