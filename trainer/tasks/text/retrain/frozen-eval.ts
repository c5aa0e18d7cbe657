import type { z } from 'zod';
import type { TextFeaturizerConfig } from '../../../../shared/featurizer/text.ts';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import type { TextInputSchema } from '../../../../shared/manifest.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../../../shared/onnx/text-embedder.ts';
import { canonicalJson } from '../../../registry/canonical-json.ts';
import type { EvalSet, Scores } from '../../../registry/schema.ts';
import { MIN_USABLE_SHARE } from '../../../retrain/comparison.ts';
import { nodeOrt } from '../../../util/ort.ts';
import type { TextConfig } from '../config.ts';
import { loadWordNet, type Synset } from '../data/wordnet.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet } from '../data/wordnet-pairs.ts';
import { embedTextsWith, evaluateTextRetrieval, headlineMetrics } from '../stages/retrieval-eval.ts';

/**
 * The frozen evaluation set of a text model: WordNet synsets, chosen once (the held-out test split of
 * the first config the registry saw) and kept in the registry, so that every later candidate and
 * champion are compared on the same synsets even after a config changes its own split. Synsets that
 * either model trained or selected checkpoints on are left out of a comparison, so a changed split never
 * leaks training data into it.
 */
export const EVAL_SET_KIND = 'wordnet-gloss-lemma';

export interface WordNetSplits {
  /** Ids of the synsets the config holds out for testing. */
  test(config: TextConfig): string[];
  /** Ids of the synsets the config trains or validates on. */
  seen(config: TextConfig): Set<string>;
  /** The synsets the config's index stage catalogues (all of WordNet, or the config's sample of it). */
  catalogue(config: TextConfig): readonly Synset[];
  /** Every WordNet synset by id. */
  all(): Map<string, Synset>;
}

/** Splits are pure functions of (seed, data); loading WordNet takes seconds, so each is made once. */
export function wordnetSplits(): WordNetSplits {
  const splits = new Map<string, { test: string[]; seen: Set<string>; catalogue: Synset[] }>();
  let all: Map<string, Synset> | undefined;
  const split = (config: TextConfig) => {
    const key = canonicalJson({ seed: config.seed, data: config.data });
    let found = splits.get(key);
    if (!found) {
      const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
      found = {
        test: dataset.test.map((s) => s.id),
        seen: new Set([...dataset.train, ...dataset.validation].map((s) => s.id)),
        catalogue: dataset.all,
      };
      splits.set(key, found);
    }
    return found;
  };
  return {
    test: (config) => split(config).test,
    seen: (config) => split(config).seen,
    catalogue: (config) => split(config).catalogue,
    all: () => (all ??= new Map(loadWordNet().map((synset) => [synset.id, synset]))),
  };
}

/** The set to freeze for a model that has none yet: the held-out test split of `config`. */
export function evalSetFromConfig(
  splits: WordNetSplits,
  config: TextConfig,
): Pick<EvalSet, 'kind' | 'items' | 'source'> {
  return {
    kind: EVAL_SET_KIND,
    items: [...splits.test(config)].sort(),
    source: `held-out test synsets of ${config.name}: seed ${config.seed}, data ${canonicalJson(config.data)}`,
  };
}

export interface EvaluationSynsets {
  synsets: Synset[];
  /** Frozen synsets left out because one of the models trained or validated on them. */
  excluded: number;
  /** Frozen synsets no longer in WordNet. */
  missing: number;
}

/** The synsets of the frozen set that none of the given training configs saw. */
export function evaluationSynsets(
  splits: WordNetSplits,
  set: Pick<EvalSet, 'items'>,
  trainedWith: readonly TextConfig[],
): EvaluationSynsets {
  const seen = trainedWith.map((config) => splits.seen(config));
  const all = splits.all();
  const synsets: Synset[] = [];
  let excluded = 0;
  let missing = 0;
  for (const id of set.items) {
    const synset = all.get(id);
    if (!synset) missing += 1;
    else if (seen.some((ids) => ids.has(id))) excluded += 1;
    else synsets.push(synset);
  }
  if (synsets.length < set.items.length * MIN_USABLE_SHARE) {
    throw new Error(
      `only ${synsets.length} of the ${set.items.length} synsets of the frozen evaluation set are unseen by the ` +
        `models compared (${excluded} trained or validated on, ${missing} gone from WordNet): a config changed ` +
        'its seed or split; restore it, or start a new evaluation set (see docs/retraining.md)',
    );
  }
  return { synsets, excluded, missing };
}

/** An ONNX text encoder as the edge would serve it. */
export interface ServedTextModel {
  bytes: Uint8Array;
  featurizer: TextFeaturizerConfig;
  io: z.infer<typeof TextInputSchema>['onnx'];
  dim: number;
}

/**
 * Gloss -> lemma retrieval on `synsets` through onnxruntime-web with the model's own featurizer: the
 * path the edge serves, so the gate judges what users would get.
 */
export async function scoreServedModel(model: ServedTextModel, synsets: readonly Synset[]): Promise<Scores> {
  return withServedModel(model, async (embedder) =>
    headlineMetrics(
      await evaluateTextRetrieval(embedTextsWith(embedder), glossLemmaRetrievalSet(synsets), model.dim),
    ),
  );
}

/** Runs `use` with the model's embedder (onnxruntime-web, its own featurizer), released after. */
export async function withServedModel<T>(
  model: ServedTextModel,
  use: (embedder: TextEmbedder) => Promise<T>,
): Promise<T> {
  const embedder = await createOnnxTextEmbedder({
    ort: nodeOrt(),
    model: model.bytes,
    featurizer: createTextFeaturizer(model.featurizer),
    io: model.io,
    dim: model.dim,
  });
  try {
    return await use(embedder);
  } finally {
    await embedder.release();
  }
}
