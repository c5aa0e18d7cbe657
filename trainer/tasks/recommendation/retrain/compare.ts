import { join } from 'node:path';
import { versionDir } from '../../../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../../../shared/artifacts/verify.ts';
import { runPath } from '../../../pipeline/run-dir.ts';
import { sha256OfJson } from '../../../registry/canonical-json.ts';
import { type Comparison, MIN_USABLE_SHARE } from '../../../retrain/comparison.ts';
import type { CompareContext } from '../../../retrain/task.ts';
import { formatMetrics } from '../../../train/loop.ts';
import { MIN_POSITIVES_FOR_SPLIT } from '../dataset.ts';
import { rankingCases } from '../evaluate.ts';
import { loadTrainedRecsModel } from '../stages/weights.ts';
import { readServedRecsModel, type ServedRecsModel, servedRankingMetrics } from './served-recs.ts';

/**
 * Candidate and champion of a recommendation model, each as the edge serves it (item vectors from its
 * index.db, its user tower), on the same cases: the candidate's held-out test interactions, i.e. each
 * evaluable user's last positive in this snapshot, ranked against every item they had not seen.
 *
 * Why not a set frozen once, as for text: users keep interacting, so a frozen held-out interaction
 * stops being their last one and the next candidate trains on it. The last positives of the newest
 * snapshot are unseen by the candidate by construction, and by the champion too (its data is an older
 * snapshot: each such item is its own held-out test item or came later), except after a change of the
 * rating threshold or of the data files. So a case is left out when the champion's shipped history shows
 * it trained or validated on the item, and the comparison fails when fewer than half remain.
 */
export async function compareRecsWithChampion(context: CompareContext): Promise<Comparison> {
  const { progress } = context;
  const { config, dataset, weights } = loadTrainedRecsModel(context.runDir);
  const catalogue = dataset.items.map((item) => item.id);
  const cases = rankingCases(dataset, 'test').map((held, i) => ({
    ...held,
    user: dataset.users[dataset.splits[i].user].id,
  }));
  const candidate = readServedRecsModel(runPath(context.runDir, 'index'), config.index.collection, {
    tower: {
      dim: weights.dim,
      kernel: weights.userKernel,
      bias: weights.userBias,
      recencyDecay: config.model.recencyDecay,
    },
    recentItems: config.model.recentItems,
  });
  const champion = context.champion
    ? await publishedRecsModel(context.artifactsDir, context.model, context.champion)
    : undefined;

  const usable = champion
    ? cases.filter((held) => !trainedOn(champion.served, held.user, catalogue[held.target]))
    : cases;
  const excluded = cases.length - usable.length;
  if (usable.length < cases.length * MIN_USABLE_SHARE) {
    throw new Error(
      `only ${usable.length} of the ${cases.length} held-out interactions are unseen by the champion ` +
        `${context.champion} (it trained or validated on ${excluded}): the rating threshold or the data files ` +
        'changed; restore them, or publish a model of the new data with dml-edge pipeline (it goes live at ' +
        'once, and the next retrain compares with it)',
    );
  }
  const missing = champion
    ? usable.filter((held) => !champion.served.vectors.has(catalogue[held.target])).length
    : 0;
  progress.log(
    `comparing on the last positives of ${usable.length} users (${excluded} left out as seen by the champion; ` +
      `${missing} are items the champion does not have, ranked last by it)`,
  );

  const scores = servedRankingMetrics(candidate, usable, catalogue);
  progress.log(`candidate: ${formatMetrics(scores)}`);
  let judged: Comparison['champion'] = null;
  if (champion) {
    judged = { version: champion.version, scores: servedRankingMetrics(champion.served, usable, catalogue) };
    progress.log(`champion ${champion.version}: ${formatMetrics(judged.scores)}`);
  }
  return {
    evalSet: {
      sha256: sha256OfJson({
        kind: 'recs-last-positive',
        cases: usable.map((held) => [held.user, catalogue[held.target]]),
      }),
      size: cases.length,
      used: usable.length,
      excluded,
      missing,
    },
    candidate: scores,
    champion: judged,
  };
}

/**
 * Whether the model trained or validated on `item` for `user`: its pipeline held out each user's last
 * positive for testing and the one before for validation, and trained on all of a user's positives
 * when they had too few to split (trainer/tasks/recommendation/dataset.ts).
 */
function trainedOn(model: ServedRecsModel, user: string, item: string): boolean {
  const positives = model.positives.get(user) ?? [];
  const seen = positives.length >= MIN_POSITIVES_FOR_SPLIT ? positives.slice(0, -1) : positives;
  return seen.includes(item);
}

/** A published version as served (checked against its manifest first). */
async function publishedRecsModel(
  artifactsDir: string,
  model: string,
  version: string,
): Promise<{ version: string; served: ServedRecsModel }> {
  const dir = versionDir(artifactsDir, model, version);
  try {
    const manifest = await verifyVersion(dir);
    const { recommendation } = manifest;
    const index = manifest.files.index;
    if (!recommendation || !index) throw new Error('it is not a recommendation model with an index');
    const served = readServedRecsModel(join(dir, index.path), recommendation.collection, {
      tower: {
        dim: manifest.embedding.dim,
        kernel: recommendation.user_tower.kernel,
        bias: recommendation.user_tower.bias,
        recencyDecay: recommendation.recency_decay,
      },
      recentItems: recommendation.recent_items,
    });
    return { version, served };
  } catch (error) {
    throw new Error(`cannot evaluate the champion ${model}@${version}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
