import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomicSync } from '../../../shared/artifacts/atomic-fs.ts';
import { verifyVersion } from '../../../shared/artifacts/verify.ts';
import { createTextFeaturizer } from '../../../shared/featurizer/text.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../../shared/onnx/text-embedder.ts';
import { nodeOrt } from '../../util/ort.ts';
import { parseTextConfig } from './config.ts';
import { dictionaryQuestions } from './data/dictionary-questions.ts';
import { gcideFile, loadGcide } from './data/gcide.ts';
import { loadWordNetDataset } from './data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet } from './data/wordnet-pairs.ts';
import {
  checkServedCatalogue,
  describeQueryChecks,
  loadCatalogueQueries,
  type QueryChecks,
  queryCheckMetrics,
} from './stages/catalogue-queries.ts';
import {
  type EmbedTexts,
  embedTextsWith,
  evaluateTextRetrieval,
  headlineMetrics,
} from './stages/retrieval-eval.ts';

/** A dataset a published model can be evaluated on: it embeds what it needs through `embed`. */
interface EvalDataset {
  description: string;
  /** Whether `split` picks its cases (held-out synsets); a dataset without splits ignores it. */
  split: boolean;
  run(
    manifest: Manifest,
    embed: EmbedTexts,
    split: 'validation' | 'test',
    log: (line: string) => void,
  ): Promise<Record<string, number>>;
}

/** The training config a published text model's manifest records. */
const configOf = (manifest: Manifest) =>
  parseTextConfig(manifest.training.config, `${manifest.name}@${manifest.version} manifest`);

/** How many dictionary definitions the 'dictionary-definitions' dataset asks (seed 1 draws them). */
const DICTIONARY_QUESTIONS = 600;

/** Both orders a search serves: by cosine, and with `"rerank": "lexical"`. */
const RANKINGS = ['vector', 'lexical'] as const;

const modelOf = (manifest: Manifest) => `${manifest.name}@${manifest.version}`;

/** The WordNet catalogue a text model's config indexes; a model that catalogues a labelled CSV has none. */
function wordNetCatalogue(manifest: Manifest) {
  const config = configOf(manifest);
  if (config.index.labelled) {
    throw new Error(
      `${modelOf(manifest)} catalogues a labelled CSV, not WordNet: these questions do not apply`,
    );
  }
  return { config, synsets: loadWordNetDataset({ seed: config.seed, ...config.data }).all };
}

/** Logs each ranking's check (`describe`) and returns its metrics, the lexical ones suffixed `_lexical`. */
function rankingMetrics(
  [vector, lexical]: readonly QueryChecks[],
  log: (line: string) => void,
  describe: (checks: QueryChecks) => string[],
): Record<string, number> {
  for (const line of describe(vector)) log(line);
  log('with "rerank": "lexical" (the nearest entries reordered by their words):');
  for (const line of describe(lexical)) log(line);
  const lexicalMetrics = Object.entries(queryCheckMetrics(lexical)).map(([name, value]) => [
    `${name}_lexical`,
    value,
  ]);
  return { ...queryCheckMetrics(vector), ...Object.fromEntries(lexicalMetrics) };
}

const DATASETS: Record<string, EvalDataset> = {
  wordnet: {
    description: "gloss -> lemma retrieval on the model's own held-out WordNet synsets",
    split: true,
    async run(manifest, embed, split) {
      const config = configOf(manifest);
      const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
      const metrics = await evaluateTextRetrieval(
        embed,
        glossLemmaRetrievalSet(dataset[split]),
        manifest.embedding.dim,
      );
      return headlineMetrics(metrics);
    },
  },
  'catalogue-queries': {
    description:
      "the questions of the model's config (index.queries) asked of its whole catalogue: the expected entry in the top k, by cosine and with the lexical rerank",
    split: false,
    async run(manifest, embed, _split, log) {
      const { config, synsets } = wordNetCatalogue(manifest);
      const file = config.index.queries;
      if (!file)
        throw new Error(`${modelOf(manifest)} has no catalogue questions (its config has no index.queries)`);
      const spec = loadCatalogueQueries(resolve(file));
      const checks = await checkServedCatalogue(file, spec, embed, manifest.embedding.dim, synsets, RANKINGS);
      return rankingMetrics(checks, log, describeQueryChecks);
    },
  },
  'dictionary-definitions': {
    description: `${DICTIONARY_QUESTIONS} definitions from GNU's dictionary (Debian's dict-gcide, never trained on by the default) of words the catalogue holds, asked of the whole catalogue: the word in the top 5, by cosine and with the lexical rerank`,
    split: false,
    async run(manifest, embed, _split, log) {
      const entries = loadGcide();
      if (!entries) {
        throw new Error(`dataset 'dictionary-definitions' needs ${gcideFile()}: apt-get install dict-gcide`);
      }
      const { synsets } = wordNetCatalogue(manifest);
      const lemmas = new Set(synsets.flatMap((s) => s.lemmas.map((lemma) => lemma.toLowerCase())));
      const spec = { k: 5, queries: dictionaryQuestions(entries, lemmas, DICTIONARY_QUESTIONS, 1) };
      const file = `${gcideFile()}: ${spec.queries.length} definitions`;
      const checks = await checkServedCatalogue(file, spec, embed, manifest.embedding.dim, synsets, RANKINGS);
      return rankingMetrics(checks, log, (check) => describeQueryChecks(check).slice(0, 1));
    },
  },
};

export const EVAL_DATASETS = Object.keys(DATASETS);

export interface PublishedEvaluation {
  model: string;
  version: string;
  file: string;
  dataset: string;
  description: string;
  /** null for a dataset without splits. */
  split: 'validation' | 'test' | null;
  metrics: Record<string, number>;
  evaluatedAt: string;
}

/**
 * Evaluates a published version exactly as the edge serves it: files verified against the manifest,
 * then the ONNX model run through onnxruntime-web with the manifest's featurizer. Writes `out`.
 */
export async function evaluatePublishedModel(options: {
  versionDir: string;
  dataset: string;
  split: 'validation' | 'test';
  file?: 'model' | 'model_int8';
  out: string;
  /** Where a dataset's per-case lines go (the CLI: stderr). */
  log?: (line: string) => void;
}): Promise<PublishedEvaluation> {
  const dataset = DATASETS[options.dataset];
  if (!dataset) {
    throw new Error(`unknown dataset '${options.dataset}'; available: ${EVAL_DATASETS.join(', ')}`);
  }
  const { manifest, embedder, file } = await openPublishedTextModel(
    options.versionDir,
    `dataset '${options.dataset}'`,
    options.file,
  );
  try {
    const embed = embedTextsWith(embedder);
    const result: PublishedEvaluation = {
      model: manifest.name,
      version: manifest.version,
      file,
      dataset: options.dataset,
      description: dataset.description,
      split: dataset.split ? options.split : null,
      metrics: await dataset.run(manifest, embed, options.split, options.log ?? (() => undefined)),
      evaluatedAt: new Date().toISOString(),
    };
    writeJsonAtomicSync(options.out, result);
    return result;
  } finally {
    await embedder.release();
  }
}

/**
 * A published text model's files verified against its manifest and its ONNX file (the served one unless
 * `file` names the other) in onnxruntime-web with the manifest's featurizer: the model as the edge runs it.
 * `use` says what wants it, for the error when the model is not a text model. Release the embedder after.
 */
export async function openPublishedTextModel(
  versionDir: string,
  use: string,
  file?: 'model' | 'model_int8',
): Promise<{ manifest: Manifest; embedder: TextEmbedder; file: string }> {
  const manifest = await verifyVersion(versionDir);
  const { input } = manifest;
  if (manifest.task !== 'text-similarity') {
    throw new Error(
      `${manifest.name}@${manifest.version} is a ${manifest.task} model; ${use} ` +
        'evaluates text-similarity models (its own run report has its metrics: dml-edge report --run <id>)',
    );
  }
  if (input.kind !== 'text') {
    throw new Error(`${manifest.name}@${manifest.version} takes ${input.kind}s; ${use} holds texts`);
  }
  const entry = manifest.files[file ?? manifest.serve];
  const embedder = await createOnnxTextEmbedder({
    ort: nodeOrt(),
    model: await readFile(join(versionDir, entry.path)),
    featurizer: createTextFeaturizer(input.featurizer),
    io: input.onnx,
    dim: manifest.embedding.dim,
  });
  return { manifest, embedder, file: entry.path };
}
