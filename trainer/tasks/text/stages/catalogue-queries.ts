import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../../../../shared/artifacts/atomic-fs.ts';
import { LEXICAL_RERANK_DEPTH, rerankLexically } from '../../../../shared/search/lexical-rerank.ts';
import { parseOrThrow } from '../../../../shared/validation.ts';
import { readJsonFile } from '../../../util/read-json-file.ts';
import { type Synset, synsetText } from '../data/wordnet.ts';
import { type EmbedTexts, embedAll } from './retrieval-eval.ts';

/**
 * Questions a person would ask the served catalogue, with the lemma a good model answers with: a
 * regression check of the served model (configs/catalogue-queries.json for the default model). The index
 * stage ranks the whole catalogue for each query with the served ONNX file and records where the first
 * entry with the expected lemma lands.
 */
export const CatalogueQueriesSchema = z
  .object({
    /** A query passes when its expected lemma is within the top k. */
    k: z.number().int().min(1).max(100).default(5),
    queries: z
      .array(
        z
          .object({
            query: z.string().min(1),
            /** A lemma of the entry that should answer (case-insensitive, any of its senses). */
            expect: z.string().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type CatalogueQueries = z.infer<typeof CatalogueQueriesSchema>;

export const QueryCheckSchema = z
  .object({
    query: z.string(),
    expect: z.string(),
    /** 1-based rank of the best-scoring entry with the expected lemma; null when no entry has it. */
    rank: z.number().int().positive().nullable(),
    pass: z.boolean(),
    /** The top k entries' ids, for reading a failure. */
    top: z.array(z.string()),
  })
  .strict();
export const QueryChecksSchema = z
  .object({
    file: z.string(),
    k: z.number().int().positive(),
    passed: z.number().int(),
    results: z.array(QueryCheckSchema),
  })
  .strict();
export type QueryChecks = z.infer<typeof QueryChecksSchema>;

/** Where the index stage records the check in a run folder. */
export const QUERY_CHECKS_FILE = 'catalogue-queries.json';

export function loadCatalogueQueries(path: string): CatalogueQueries {
  return parseOrThrow(CatalogueQueriesSchema, readJsonFile(path), `${path}: invalid catalogue queries`);
}

/** A catalogue entry as the check sees it: its id, its lemmas, its text, its unit vector (a row of `vectors`). */
export interface CatalogueVectors {
  ids: readonly string[];
  lemmas: readonly (readonly string[])[];
  /** What the index stores as the entry's text (what a lexical rerank reads). */
  texts: readonly string[];
  /** [items, dim], row-major, unit rows (what the served model outputs). */
  vectors: Float32Array;
  dim: number;
}

/** A catalogue of synsets as the check sees it, `vectors` holding their rows in the same order. */
export function synsetCatalogue(
  synsets: readonly Synset[],
  vectors: Float32Array,
  dim: number,
): CatalogueVectors {
  return {
    ids: synsets.map((s) => s.id),
    lemmas: synsets.map((s) => s.lemmas),
    texts: synsets.map(synsetText),
    vectors,
    dim,
  };
}

/**
 * The check of a served model on a catalogue of synsets, embedding every entry (lemmas and gloss, as the
 * index stage does) and every query with `embed` (the served file's embedder), once per ranking asked
 * for: what the retrain gate compares and `dml-edge eval --dataset catalogue-queries` reports.
 */
export async function checkServedCatalogue(
  file: string,
  spec: CatalogueQueries,
  embed: EmbedTexts,
  dim: number,
  synsets: readonly Synset[],
  rankings: readonly CatalogueRanking[] = ['vector'],
): Promise<QueryChecks[]> {
  const vectors = await embedAll(embed, synsets.map(synsetText), dim);
  const queryVectors = await embedAll(
    embed,
    spec.queries.map((q) => q.query),
    dim,
  );
  return checkCatalogueQueries(file, spec, queryVectors, synsetCatalogue(synsets, vectors, dim), rankings);
}

/**
 * The score a retrain gate can hold the served catalogue's questions to: how many find their expected
 * entry in the top k (configs/retrain-wordnet.json puts a floor on it).
 */
export const QUERIES_PASSED = 'catalogue_queries_passed';

/** Passes, questions and the mean reciprocal rank of the expected entries (0 for a lemma not found). */
export function queryCheckMetrics(checks: QueryChecks): Record<string, number> {
  const reciprocal = checks.results.map((r) => (r.rank === null ? 0 : 1 / r.rank));
  return {
    [QUERIES_PASSED]: checks.passed,
    catalogue_queries: checks.results.length,
    catalogue_queries_mrr: reciprocal.reduce((a, b) => a + b, 0) / reciprocal.length,
  };
}

/**
 * How the check orders the catalogue: by cosine alone, or as a search with `"rerank": "lexical"` serves
 * it (the nearest LEXICAL_RERANK_DEPTH entries reordered with their texts, shared/search/lexical-rerank.ts).
 */
export type CatalogueRanking = 'vector' | 'lexical';

/**
 * Ranks every entry for each query by cosine (dot product of unit vectors), then, for the lexical
 * ranking, reorders the nearest entries as the served rerank does: one check per ranking asked for, the
 * cosines computed once for all. The rank of the expected lemma is 1 + the number of entries ahead of its
 * best entry; ahead by cosine means strictly above, so ties do not fail a query.
 */
export function checkCatalogueQueries(
  file: string,
  spec: CatalogueQueries,
  queryVectors: Float32Array,
  catalogue: CatalogueVectors,
  rankings: readonly CatalogueRanking[] = ['vector'],
): QueryChecks[] {
  const { ids, lemmas, texts, vectors, dim } = catalogue;
  const perQuery = spec.queries.map(({ query, expect }, q) => {
    const scores = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += queryVectors[q * dim + d] * vectors[i * dim + d];
      scores[i] = dot;
    }
    const byCosine = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
    const wanted = expect.toLowerCase();
    const answers = (i: number) => lemmas[i].some((lemma) => lemma.toLowerCase() === wanted);
    return rankings.map((ranking) => {
      const order = ranking === 'vector' ? byCosine : lexicalOrder(query, byCosine, scores, texts);
      const rank = ranking === 'vector' ? cosineRank(scores, answers) : orderRank(order, answers);
      const top = order.slice(0, spec.k).map((i) => ids[i]);
      return { query, expect, rank, pass: rank !== null && rank <= spec.k, top };
    });
  });
  return rankings.map((_, r) => {
    const results = perQuery.map((checks) => checks[r]);
    return { file, k: spec.k, passed: results.filter((result) => result.pass).length, results };
  });
}

/** The cosine order with its nearest LEXICAL_RERANK_DEPTH entries reordered as the served rerank does. */
function lexicalOrder(
  query: string,
  byCosine: readonly number[],
  scores: Float32Array,
  texts: readonly string[],
): number[] {
  const nearest = byCosine
    .slice(0, LEXICAL_RERANK_DEPTH)
    .map((i) => ({ i, score: scores[i], text: texts[i] }));
  return [...rerankLexically(query, nearest).map(({ i }) => i), ...byCosine.slice(LEXICAL_RERANK_DEPTH)];
}

/** 1 + the entries scoring strictly above the best answering entry; null when none answers. */
function cosineRank(scores: Float32Array, answers: (i: number) => boolean): number | null {
  let best = Number.NEGATIVE_INFINITY;
  scores.forEach((score, i) => {
    if (answers(i)) best = Math.max(best, score);
  });
  return best === Number.NEGATIVE_INFINITY ? null : 1 + scores.filter((s) => s > best).length;
}

/** The 1-based position of the first answering entry in `order`; null when none answers. */
function orderRank(order: readonly number[], answers: (i: number) => boolean): number | null {
  const position = order.findIndex(answers);
  return position < 0 ? null : position + 1;
}

/** One line per query for the progress log (and so for `npm start`'s output). */
export function describeQueryChecks(checks: QueryChecks): string[] {
  return [
    `catalogue queries (${checks.file}): ${checks.passed}/${checks.results.length} with the expected entry in the top ${checks.k}`,
    ...checks.results.map(
      (r) =>
        `  ${r.pass ? 'PASS' : 'FAIL'} "${r.query}" -> ${r.expect}: ` +
        (r.rank === null ? 'no catalogue entry has this lemma' : `rank ${r.rank}`),
    ),
  ];
}

/** The run's recorded check, as the report shows it; undefined when the run has none. */
export function readQueryChecks(runDir: string) {
  const path = join(runDir, QUERY_CHECKS_FILE);
  if (!existsSync(path)) return undefined;
  const checks = QueryChecksSchema.parse(readJsonFile(path));
  return {
    k: checks.k,
    source: checks.file,
    results: checks.results.map(({ top: _top, ...result }) => result),
  };
}

export function writeQueryChecks(runDir: string, checks: QueryChecks): void {
  writeJsonAtomicSync(join(runDir, QUERY_CHECKS_FILE), QueryChecksSchema.parse(checks));
}
