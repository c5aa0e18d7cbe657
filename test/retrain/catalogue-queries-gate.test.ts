import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWordNetDataset } from '../../trainer/tasks/text/data/wordnet-dataset.ts';
import {
  QUERIES_PASSED,
  QUERY_CHECKS_FILE,
  QueryChecksSchema,
} from '../../trainer/tasks/text/stages/catalogue-queries.ts';
import { createWorkspace, STRONG, tinyTraining, WEAK, type Workspace } from './workspace.ts';

/**
 * The catalogue's questions as a regression test of nightly candidates: the comparison asks them of
 * candidate and champion through their served files, and a floor on their passes refuses a candidate
 * that answers fewer. Questions here: glosses of the tiny catalogue's synsets, expecting their lemma.
 */
let workspace: Workspace;
let queriesFile: string;

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-queries-');
  const { data } = tinyTraining(STRONG, '');
  const { test } = loadWordNetDataset({ seed: 3, ...data });
  const questions = test
    .filter((s) => s.gloss.split(' ').length >= 4)
    .slice(0, 12)
    .map((s) => ({ query: s.gloss, expect: s.lemmas[0] }));
  queriesFile = join(workspace.root, 'questions.json');
  writeFileSync(queriesFile, JSON.stringify({ k: 5, queries: questions }));
});

afterAll(async () => {
  await workspace?.remove();
});

const JOB_TIMEOUT = 600_000;
const withQuestions = () => ({ index: { collection: 'tiny-wordnet', queries: queriesFile } });

describe('the catalogue questions in the retrain gate', () => {
  let championPasses = 0;

  it(
    "scores the candidate's passes with the gate's own check, equal to its index stage's",
    async () => {
      const { parsed } = await workspace.config('strong', STRONG, undefined, withQuestions());
      const { summary, exitCode } = await workspace.retrain(parsed);
      expect(exitCode).toBe(0);
      expect(summary.status).toBe('promoted');
      const record = (await workspace.records())[summary.version!];
      const comparison = JSON.parse(readFileSync(join(record.runDir!, 'comparison.json'), 'utf8'));
      // The index stage ran after the gate, embedding the catalogue once into the index: same answers.
      const indexed = QueryChecksSchema.parse(
        JSON.parse(readFileSync(join(record.runDir!, QUERY_CHECKS_FILE), 'utf8')),
      );
      championPasses = comparison.candidate[QUERIES_PASSED];
      expect(championPasses).toBe(indexed.passed);
      expect(record.metrics?.[QUERIES_PASSED]).toBe(championPasses);
      expect(championPasses).toBeGreaterThan(6);
    },
    JOB_TIMEOUT,
  );

  it(
    'refuses a candidate that answers fewer questions than the floor, naming the score',
    async () => {
      const gate = { tolerance: 1, floors: { [QUERIES_PASSED]: championPasses } };
      const { parsed } = await workspace.config('weak', WEAK, gate, withQuestions());
      const { summary, exitCode } = await workspace.retrain(parsed);
      expect(exitCode).toBe(3);
      expect(summary.status).toBe('rejected');
      expect(summary.reason).toMatch(
        new RegExp(`^${QUERIES_PASSED} \\d+\\.0000 is below its floor ${championPasses}\\.0000$`),
      );
      const record = (await workspace.records())[summary.version!];
      const comparison = JSON.parse(readFileSync(join(record.runDir!, 'comparison.json'), 'utf8'));
      expect(comparison.candidate[QUERIES_PASSED]).toBeLessThan(championPasses);
      expect(comparison.champion.scores[QUERIES_PASSED]).toBe(championPasses);
    },
    JOB_TIMEOUT,
  );
});
