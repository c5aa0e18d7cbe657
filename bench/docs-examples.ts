/**
 * `npm run docs:examples`: regenerates the README's default-model figures and example answers from the
 * published default model, so they are what a user of `npm start` gets rather than typed by hand. The
 * answers come through the real server (startNodeServer over the artifacts folder: the same code path as
 * `npm start`); the figures from the version's manifest and its training run's eval.json and export.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startNodeServer } from '../edge/adapters/node/server.ts';
import { SearchResponseSchema } from '../edge/schemas.ts';
import { writeFileAtomic } from '../shared/artifacts/atomic-fs.ts';
import type { Manifest } from '../shared/manifest.ts';
import { REPO_ROOT } from './paths.ts';
import { findDefaultTextModel, HOW_TO_PUBLISH } from './published.ts';

/** The queries the README shows, each a description whose answer the reader can judge. */
export const EXAMPLE_QUERIES = [
  'a domestic animal that barks',
  'device for measuring temperature',
  'a large body of salt water',
  'to move quickly on foot',
] as const;
const TOP_K = 3;
const TEXT_WIDTH = 88;

export interface ExampleAnswer {
  query: string;
  results: { score: number; text: string }[];
}

/** One line per result: the query beside its first result, scores to three decimals, long texts cut. */
export function renderAnswers(answers: readonly ExampleAnswer[]): string {
  const width = Math.max(...answers.map((a) => a.query.length)) + 3;
  const lines = answers.flatMap(({ query, results }) =>
    results.map((r, i) => `${(i === 0 ? query : '').padEnd(width)}${r.score.toFixed(3)} ${cut(r.text)}`),
  );
  return ['```', ...lines, '```'].join('\n');
}

/** A long text cut at the last word that fits, so a line stays readable in a terminal. */
function cut(text: string): string {
  if (text.length <= TEXT_WIDTH) return text;
  return `${text.slice(0, TEXT_WIDTH - 3).replace(/\s+\S*$/, '')} ...`;
}

/** The parts of a run's eval.json and export.json the figures quote. */
const RetrievalSchema = z.object({ overall: z.record(z.string(), z.number()) });
const RunEvaluationSchema = z.object({ testSynsets: z.number(), untrained: RetrievalSchema });
const RunExportSchema = z.object({ parity: z.object({ texts: z.number() }) });

const FIGURE_COLUMNS = [
  ['P@1', 'precision_at_1'],
  ['R-Precision', 'r_precision'],
  ['MAP@R', 'mean_average_precision_at_r'],
  ['Recall@1', 'recall_at_1'],
  ['Recall@5', 'recall_at_5'],
  ['Recall@10', 'recall_at_10'],
] as const;

/** The default model's figures: held-out retrieval beside the untrained encoder, files, parity, index. */
export function renderFigures(
  manifest: Manifest,
  run: { evaluation: z.infer<typeof RunEvaluationSchema>; exported: z.infer<typeof RunExportSchema> },
): string {
  const row = (label: string, metrics: Record<string, number>) =>
    `| ${label} | ${FIGURE_COLUMNS.map(([, key]) => metrics[key].toFixed(3)).join(' | ')} |`;
  const { metrics, files, training } = manifest;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const collection = manifest.collections[0];
  const similarity = metrics.similarity ?? {};
  const lines = [
    `Version ${manifest.version}: ${training.steps.toLocaleString('en-US')} steps (seed ${seedOf(manifest)}) ` +
      `on ${training.backend}. Test: ${run.evaluation.testSynsets.toLocaleString('en-US')} held-out synsets.`,
    '',
    `| held-out gloss -> lemma retrieval (cosine) | ${FIGURE_COLUMNS.map(([label]) => label).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(FIGURE_COLUMNS.length)}`,
    row('trained model, int8 ONNX (served)', metrics.int8),
    row('trained model, fp32 ONNX', metrics.fp32),
    row('the same encoder untrained', run.evaluation.untrained.overall),
    '',
    `- Files: \`model.onnx\` ${mb(files.model.bytes)} (fp32), \`model.int8.onnx\` ${mb(files.model_int8.bytes)} ` +
      `(int8, ${metrics.parity.int8_size_ratio.toFixed(2)}x). Parity with TensorFlow.js on ` +
      `${run.exported.parity.texts.toLocaleString('en-US')} held-out texts: worst cosine ` +
      `${metrics.parity.fp32_min_cosine.toFixed(6)} (fp32) and ${metrics.parity.int8_min_cosine.toFixed(5)} (int8).`,
    `- sha256 of the ONNX files, to compare with a run of your own (\`runs/<id>/model*.onnx\`): ` +
      `\`model.onnx\` ${files.model.sha256.slice(0, 16)}..., \`model.int8.onnx\` ${files.model_int8.sha256.slice(0, 16)}...`,
    ...(collection && files.index
      ? [
          `- Index: the ${collection.items.toLocaleString('en-US')} WordNet synsets with their HNSW search ` +
            `graph, ${mb(files.index.bytes)}.`,
        ]
      : []),
    ...(similarity.stsb_dev_spearman !== undefined
      ? [
          `- STS-B dev Spearman x 100: ${similarity.stsb_dev_spearman.toFixed(2)}` +
            (similarity.paws_heldout_roc_auc !== undefined
              ? `; PAWS held-out ROC-AUC ${similarity.paws_heldout_roc_auc.toFixed(3)}`
              : '') +
            ' (when `../shared/datasets` holds them).',
        ]
      : []),
  ];
  return lines.join('\n');
}

function seedOf(manifest: Manifest): string {
  const seed = (manifest.training.config as { seed?: unknown }).seed;
  return String(seed ?? '?');
}

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->`; both markers must exist once. */
export function replaceBetweenMarkers(text: string, name: string, block: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) {
    throw new Error(`README.md must hold the markers ${start} and ${end}, once each and in that order`);
  }
  return `${text.slice(0, from + start.length)}\n${block}\n${text.slice(to)}`;
}

async function askServer(artifactsDir: string, model: string, collection: string): Promise<ExampleAnswer[]> {
  // The server's writable state goes to a scratch folder: regenerating docs leaves artifacts/ as it was.
  const scratch = mkdtempSync(join(tmpdir(), 'dml-docs-examples-'));
  const server = await startNodeServer({
    port: 0,
    artifactsDir,
    stateDb: join(scratch, 'state.db'),
    accessLog: false,
  });
  try {
    const answers: ExampleAnswer[] = [];
    for (const query of EXAMPLE_QUERIES) {
      const response = await fetch(`${server.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, k: TOP_K, model, collection }),
      });
      if (!response.ok) throw new Error(`/v1/search "${query}": ${response.status} ${await response.text()}`);
      const body = SearchResponseSchema.parse(await response.json());
      answers.push({
        query,
        results: body.results.map((hit) => ({ score: hit.score, text: hit.text ?? hit.id })),
      });
    }
    return answers;
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readJson<T>(path: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      artifacts: { type: 'string', default: process.env.DML_EDGE_ARTIFACTS ?? 'artifacts' },
      runs: { type: 'string', default: 'runs' },
      readme: { type: 'string', default: join(REPO_ROOT, 'README.md') },
    },
  });
  const artifactsDir = resolve(values.artifacts);
  const found = await findDefaultTextModel({ artifactsDir, runsDir: resolve(values.runs) });
  if ('missing' in found) throw new Error(found.missing);
  const { manifest, runDir } = found.model;
  if (!runDir) {
    throw new Error(
      `${manifest.name}@${manifest.version}: its training run ${manifest.training.run_id} is not in ${values.runs}/ ` +
        `(the figures quote its eval.json and export.json): ${HOW_TO_PUBLISH}`,
    );
  }
  const collection = manifest.collections[0].name;
  const answers = await askServer(artifactsDir, manifest.name, collection);
  const figures = renderFigures(manifest, {
    evaluation: readJson(join(runDir, 'eval.json'), RunEvaluationSchema),
    exported: readJson(join(runDir, 'export.json'), RunExportSchema),
  });
  const readme = readFileSync(values.readme, 'utf8');
  const updated = replaceBetweenMarkers(
    replaceBetweenMarkers(readme, 'default-model-answers', renderAnswers(answers)),
    'default-model-figures',
    figures,
  );
  await writeFileAtomic(values.readme, updated);
  process.stdout.write(
    `${values.readme}: example answers and figures of ${manifest.name}@${manifest.version} regenerated\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    process.stderr.write(`docs:examples: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
