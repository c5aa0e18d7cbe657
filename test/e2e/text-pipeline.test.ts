import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import { WorkerIndexSchema } from '../../shared/artifacts/worker-index.ts';
import { parseManifest } from '../../shared/manifest.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { newRunId, readRunFile } from '../../trainer/pipeline/run-dir.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { parseTextConfig } from '../../trainer/tasks/text/config.ts';
import { synsetText } from '../../trainer/tasks/text/data/wordnet.ts';
import { loadWordNetDataset } from '../../trainer/tasks/text/data/wordnet-dataset.ts';
import { evaluatePublishedModel } from '../../trainer/tasks/text/eval-published.ts';
import {
  describeQueryChecks,
  QUERY_CHECKS_FILE,
  QueryChecksSchema,
} from '../../trainer/tasks/text/stages/catalogue-queries.ts';
import { TextEvaluationSchema } from '../../trainer/tasks/text/stages/evaluate.ts';
import { indexTextStage } from '../../trainer/tasks/text/stages/index-build.ts';
import { runTextPipeline } from '../../trainer/tasks/text/stages/pipeline.ts';
import { publishTextStage } from '../../trainer/tasks/text/stages/publish.ts';
import { LoopStateSchema } from '../../trainer/train/loop.ts';
import { TICKETS } from '../fixtures/labelled-version.ts';

/**
 * The whole first path on a tiny model trained inside the test: WordNet -> train -> evaluate ->
 * export (checked ONNX) -> index (with its catalogue query check) -> report -> publish -> a real HTTP
 * server answering searches.
 */
const SAMPLE = { seed: 3, validation: 0.1, test: 0.1, limit: 5000 };
const [first, second] = loadWordNetDataset(SAMPLE).all;
const queriesFile = join(mkdtempSync(join(tmpdir(), 'dml-queries-')), 'queries.json');
const QUERIES = [
  // An entry's own text finds it first; a gloss finds its entry somewhere; a lemma no entry has fails.
  { query: synsetText(first), expect: first.lemmas[0] },
  { query: second.gloss, expect: second.lemmas[0] },
  { query: 'a domestic animal that barks', expect: 'no such lemma' },
];
writeFileSync(queriesFile, JSON.stringify({ k: 5, queries: QUERIES }));
const config = parseTextConfig(
  {
    name: 'tiny-text',
    seed: 3,
    data: { source: 'wordnet', validation: SAMPLE.validation, test: SAMPLE.test, limit: SAMPLE.limit },
    featurizer: { buckets: 4096 },
    model: { embeddingDim: 32, outputDim: 32 },
    loss: { name: 'multiple_negatives_ranking', scale: 20, symmetric: true },
    train: {
      batchSize: 64,
      epochs: 5,
      maxMinutes: 2,
      evalEvery: 50,
      patience: 0,
      optimizer: { learningRate: 0.01 },
    },
    index: { collection: 'tiny-wordnet', queries: queriesFile },
    serve: 'model_int8',
    // No STS-B/PAWS here, as on a fresh clone: their evaluation is skipped (and reported as skipped).
    datasets: mkdtempSync(join(tmpdir(), 'dml-no-datasets-')),
  },
  'test config',
);

let root: string;
let runDir: string;
let server: RunningServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dml-e2e-'));
  const { id, version } = newRunId(config.name);
  runDir = join(root, 'runs', id);
  const silent = { update: () => undefined, log: (m: string) => void console.log(m), done: () => undefined };
  await runTextPipeline({
    config,
    runDir,
    runId: id,
    version,
    backend: await initBackend('wasm'),
    progress: silent,
    artifactsDir: join(root, 'artifacts'),
    stages: STAGES,
  });
  server = await startNodeServer({ port: 0, artifactsDir: join(root, 'artifacts') });
}, 300_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('text pipeline end to end', () => {
  it('trains: the loss falls and held-out retrieval beats the untrained model', () => {
    const metrics = readRunFile(runDir, 'metrics', LoopStateSchema);
    expect(metrics.history.validation.length).toBeGreaterThan(2);
    expect(metrics.history.train.at(-1)!.loss).toBeLessThan(metrics.history.train[0].loss * 0.8);
    const evaluation = readRunFile(runDir, 'evaluation', TextEvaluationSchema);
    expect(evaluation.tfjs.overall.mean_average_precision_at_r).toBeGreaterThan(
      evaluation.untrained.overall.mean_average_precision_at_r * 1.25,
    );
  });

  it('publishes a verified version with metrics and parity in its manifest', async () => {
    const current = await readCurrent(join(root, 'artifacts'), config.name);
    const dir = versionDir(join(root, 'artifacts'), config.name, current!.version);
    const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), dir);
    expect(manifest.metrics.parity.fp32_min_cosine).toBeGreaterThanOrEqual(0.9999);
    expect(manifest.metrics.parity.int8_min_cosine).toBeGreaterThanOrEqual(0.995);
    expect(manifest.metrics.int8.precision_at_1).toBeGreaterThan(0);
    // The verification threshold for FAR 1e-3, calibrated on validation synsets and judged on test ones.
    expect(manifest.verification).toMatchObject({ target_far: 0.001 });
    expect(manifest.verification!.test_far).toBeLessThanOrEqual(0.01);
    expect(existsSync(join(dir, 'index.db'))).toBe(true);
    // The Workers build of the index, one shard by default, listed with its checksum and verified.
    expect(manifest.files.worker_index?.path).toBe('worker-index.json');
    const workerIndex = WorkerIndexSchema.parse(
      JSON.parse(readFileSync(join(dir, 'worker-index.json'), 'utf8')),
    );
    expect(workerIndex.shards.map((shard) => shard.items)).toEqual([manifest.collections[0].items]);
    await expect(verifyVersion(dir)).resolves.toBeDefined();
  });

  it('re-evaluates the published model exactly as the manifest recorded (dml-edge eval)', async () => {
    const current = await readCurrent(join(root, 'artifacts'), config.name);
    const dir = versionDir(join(root, 'artifacts'), config.name, current!.version);
    const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), dir);
    const out = join(root, 'eval.json');
    const result = await evaluatePublishedModel({ versionDir: dir, dataset: 'wordnet', split: 'test', out });
    expect(result.file).toBe('model.int8.onnx');
    for (const [name, value] of Object.entries(manifest.metrics.int8)) {
      expect(result.metrics[name]).toBeCloseTo(value, 6);
    }
    expect(JSON.parse(readFileSync(out, 'utf8')).metrics).toEqual(result.metrics);
  });

  it('serves searches that find an entry from its own gloss', async () => {
    const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
    expect(dataset.all[0]).toEqual(first);
    const probes = dataset.all.slice(0, 20);
    let hits = 0;
    for (const synset of probes) {
      const response = await fetch(`${server.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: synset.gloss, k: 5, collection: 'tiny-wordnet' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-model-version')).toMatch(/^tiny-text@/);
      const body = (await response.json()) as { results: { id: string; text: string }[] };
      expect(body.results.length).toBe(5);
      if (body.results.some((r) => r.id === synset.id)) hits += 1;
      if (body.results[0].id === synset.id) expect(body.results[0].text).toBe(synsetText(synset));
    }
    expect(hits).toBeGreaterThanOrEqual(15);
  });

  it('checks the catalogue queries with the served vectors: ranks as the server ranks them', async () => {
    const checks = QueryChecksSchema.parse(JSON.parse(readFileSync(join(runDir, QUERY_CHECKS_FILE), 'utf8')));
    expect(checks.results.map((r) => [r.query, r.expect])).toEqual(QUERIES.map((q) => [q.query, q.expect]));
    expect(checks.results[0]).toMatchObject({ rank: 1, pass: true });
    expect(checks.results[0].top[0]).toBe(first.id);
    expect(checks.results[2]).toMatchObject({ rank: null, pass: false });
    for (const result of checks.results.slice(0, 2)) {
      const response = await fetch(`${server.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: result.query, k: 100, collection: 'tiny-wordnet' }),
      });
      const body = (await response.json()) as { results: { id: string; metadata: { lemmas: string[] } }[] };
      expect(body.results.slice(0, 5).map((r) => r.id)).toEqual(result.top);
      const served = body.results.findIndex((r) => r.metadata.lemmas.includes(result.expect)) + 1;
      expect(served > 0 ? served : null).toBe(
        result.rank !== null && result.rank <= 100 ? result.rank : null,
      );
    }
    expect(checks.passed).toBe(checks.results.filter((r) => r.rank !== null && r.rank <= 5).length);
    // The run's report shows the same check.
    const report = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(report).toContain(`${checks.passed} of 3 queries find the expected entry in the top 5`);
  });

  it('asks the published model its questions again, as the index stage did (dml-edge eval --dataset catalogue-queries)', async () => {
    const checks = QueryChecksSchema.parse(JSON.parse(readFileSync(join(runDir, QUERY_CHECKS_FILE), 'utf8')));
    const current = await readCurrent(join(root, 'artifacts'), config.name);
    const lines: string[] = [];
    const result = await evaluatePublishedModel({
      versionDir: versionDir(join(root, 'artifacts'), config.name, current!.version),
      dataset: 'catalogue-queries',
      split: 'test',
      out: join(root, 'queries-eval.json'),
      log: (line) => lines.push(line),
    });
    const vectorLines = describeQueryChecks(checks);
    expect(lines.slice(0, vectorLines.length)).toEqual(vectorLines);
    // Then the same questions as a search with "rerank": "lexical" ranks them, one line each.
    const lexicalLines = lines.slice(vectorLines.length + 1);
    expect(lines[vectorLines.length]).toMatch(/rerank.*lexical/);
    expect(lexicalLines).toHaveLength(vectorLines.length);
    expect(lexicalLines[0]).toMatch(/^catalogue queries .*: \d+\/3 with the expected entry in the top 5$/);
    expect(result.split).toBeNull(); // the whole catalogue, whatever --split says
    const reciprocal = checks.results.map((r) => (r.rank === null ? 0 : 1 / r.rank));
    expect(result.metrics).toMatchObject({
      catalogue_queries_passed: checks.passed,
      catalogue_queries: QUERIES.length,
      catalogue_queries_mrr: reciprocal.reduce((a, b) => a + b) / QUERIES.length,
      catalogue_queries_lexical: QUERIES.length,
    });
    const lexicalPassed = lexicalLines.filter((line) => line.includes(' PASS ')).length;
    expect(result.metrics.catalogue_queries_passed_lexical).toBe(lexicalPassed);
  });

  it('a stage fed an eval.json from an older or broken run names the file, each bad field and the stage', async () => {
    const brokenRun = join(root, 'runs', 'broken');
    cpSync(runDir, brokenRun, { recursive: true });
    const evaluation = JSON.parse(readFileSync(join(brokenRun, 'eval.json'), 'utf8'));
    delete evaluation.testSynsets;
    evaluation.decision.targetPrecision = String(evaluation.decision.targetPrecision);
    writeFileSync(join(brokenRun, 'eval.json'), JSON.stringify(evaluation));
    const silent = { update: () => undefined, log: () => undefined, done: () => undefined };
    await expect(publishTextStage(brokenRun, join(root, 'broken-artifacts'), silent)).rejects.toThrow(
      `${join(brokenRun, 'eval.json')}: invalid run file\n` +
        '  testSynsets: Invalid input: expected number, received undefined\n' +
        '  decision.targetPrecision: Invalid input: expected number, received string\n' +
        'written by the evaluate stage of an older or broken run: rerun it (dml-edge evaluate --run broken)',
    );
  });

  it('indexes a labelled CSV into a collection /v1/classify answers from (index.labelled)', async () => {
    // The same trained run with index.labelled set, indexed and published again as another version.
    const labelledRun = join(root, 'runs', 'labelled');
    cpSync(runDir, labelledRun, { recursive: true });
    const csv = join(root, 'tickets.csv');
    const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
    writeFileSync(
      csv,
      `text,label\n${TICKETS.map((t) => `${quote(t.text)},${t.metadata?.label}`).join('\n')}\n`,
    );
    const pinned = JSON.parse(readFileSync(join(labelledRun, 'config.json'), 'utf8'));
    pinned.index = { ...pinned.index, collection: 'tickets', labelled: { csv } };
    writeFileSync(join(labelledRun, 'config.json'), JSON.stringify(pinned));
    const run = JSON.parse(readFileSync(join(labelledRun, 'run.json'), 'utf8'));
    writeFileSync(
      join(labelledRun, 'run.json'),
      JSON.stringify({ ...run, version: `${run.version}-labelled` }),
    );
    const silent = { update: () => undefined, log: () => undefined, done: () => undefined };
    const artifacts = join(root, 'labelled-artifacts');
    await indexTextStage(labelledRun, silent);
    const published = await publishTextStage(labelledRun, artifacts, silent);
    const manifest = await verifyVersion(published.dir);
    const [collection] = manifest.collections;
    expect(collection).toMatchObject({ name: 'tickets', items: TICKETS.length });
    expect(collection.labels?.classes.map((c) => [c.label, c.items])).toEqual([
      ['billing', 3],
      ['bug', 3],
      ['delivery', 3],
    ]);
    // Its catalogue is the CSV, not WordNet: the WordNet questions are refused by name, nothing written.
    const out = join(root, 'labelled-queries.json');
    await expect(
      evaluatePublishedModel({ versionDir: published.dir, dataset: 'catalogue-queries', split: 'test', out }),
    ).rejects.toThrow(
      `${manifest.name}@${manifest.version} catalogues a labelled CSV, not WordNet: these questions do not apply`,
    );
    expect(existsSync(out)).toBe(false);
    const labelled = await startNodeServer({ port: 0, artifactsDir: artifacts });
    try {
      const response = await fetch(`${labelled.url}/v1/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: TICKETS.map((t) => t.text),
          collection: 'tickets',
          method: 'knn',
          k: 1,
        }),
      });
      expect(response.status).toBe(200);
      // Each item's nearest item is itself: the kNN vote of one gives its own label.
      const body = (await response.json()) as { results: { label: string }[] };
      expect(body.results.map((r) => r.label)).toEqual(TICKETS.map((t) => t.metadata?.label));
    } finally {
      await labelled.close();
    }
  });
});
