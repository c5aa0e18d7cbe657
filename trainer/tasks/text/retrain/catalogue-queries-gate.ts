import { resolve } from 'node:path';
import type { Scores } from '../../../registry/schema.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import type { Synset } from '../data/wordnet.ts';
import {
  checkServedCatalogue,
  loadCatalogueQueries,
  type QueryChecks,
  queryCheckMetrics,
} from '../stages/catalogue-queries.ts';
import { embedTextsWith } from '../stages/retrieval-eval.ts';
import { type ServedTextModel, withServedModel } from './frozen-eval.ts';

/**
 * Asks the config's catalogue questions of the candidate and the champion, each embedding the same
 * catalogue with its served file, and logs the questions the candidate lost or gained. Returns each
 * model's queryCheckMetrics (passes, questions, mean reciprocal rank), to add to its scores.
 */
export async function compareCatalogueQueries(options: {
  file: string;
  catalogue: readonly Synset[];
  candidate: ServedTextModel;
  champion?: { version: string; served: ServedTextModel };
  progress: Pick<ProgressReporter, 'log'>;
}): Promise<{ candidate: Scores; champion?: Scores }> {
  const { file, catalogue, champion, progress } = options;
  const spec = loadCatalogueQueries(resolve(file));
  const check = (model: ServedTextModel) =>
    withServedModel(model, async (embedder) => {
      const [checks] = await checkServedCatalogue(file, spec, embedTextsWith(embedder), model.dim, catalogue);
      return checks;
    });
  const mine = await check(options.candidate);
  const summary = (checks: QueryChecks) => `${checks.passed}/${checks.results.length} in the top ${checks.k}`;
  progress.log(`catalogue queries (${file}) on ${catalogue.length} entries: candidate ${summary(mine)}`);
  if (!champion) return { candidate: queryCheckMetrics(mine) };

  const theirs = await check(champion.served);
  progress.log(`catalogue queries: champion ${champion.version} ${summary(theirs)}`);
  const changed = (from: QueryChecks, to: QueryChecks) =>
    to.results.filter((r, i) => r.pass && !from.results[i].pass).map((r) => `"${r.query}" -> ${r.expect}`);
  const lost = changed(mine, theirs);
  const gained = changed(theirs, mine);
  if (lost.length > 0) progress.log(`  the candidate loses ${lost.join(', ')}`);
  if (gained.length > 0) progress.log(`  the candidate gains ${gained.join(', ')}`);
  return { candidate: queryCheckMetrics(mine), champion: queryCheckMetrics(theirs) };
}
