import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeServer } from '../../edge/adapters/node/server.ts';
import { createApiKey, openStateDb } from '../../edge/adapters/node/state-db.ts';
import { setCurrent } from '../../shared/artifacts/current.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { planR2Upload } from '../../trainer/publish/r2.ts';
import { loadRecsConfig } from '../../trainer/tasks/recommendation/config.ts';
import { runRecsPipeline } from '../../trainer/tasks/recommendation/stages/pipeline.ts';
import type { SeedObject } from './node-fixtures.ts';
import {
  RECS_MODEL,
  RECS_STEPS,
  type RecsReply,
  type RecsStepName,
  SWITCH_REQUEST,
  sendRecsStep,
} from './recs-requests.ts';

/**
 * The Node half of test/workers/recommend.test.ts, run as its own process by global-setup.ts: the
 * trainer trains the tiny recommendation model twice (v1, and v2 from another seed) into one artifacts
 * folder; a Node server over v1 with a fresh state database answers the scenario of recs-requests.ts;
 * each version answers SWITCH_REQUEST; and the R2 objects an upload of each version would write are
 * listed with their bytes.
 */
export interface RecsFixtures {
  /** v1 and its `current` pointer, in upload order: the bucket's starting state. */
  v1Objects: SeedObject[];
  /** v2 and its `current` pointer: what `models promote v2 --target r2` writes. */
  v2Objects: SeedObject[];
  replies: Record<RecsStepName, RecsReply>;
  switchReplies: { v1: RecsReply; v2: RecsReply };
}

const FIXTURE = fileURLToPath(new URL('../fixtures/recs/tiny.json', import.meta.url));

export async function makeRecsFixtures(dir: string): Promise<RecsFixtures> {
  const artifactsDir = join(dir, 'recs-artifacts');
  const config = loadRecsConfig(FIXTURE);
  const backend = await initBackend('wasm');
  const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };
  for (const [version, seed] of [
    ['v1', config.seed],
    ['v2', config.seed + 1],
  ] as const) {
    await runRecsPipeline({
      config: { ...config, seed, evaluation: { ...config.evaluation, mustBeatBaselines: false } },
      runDir: join(dir, 'runs', version),
      runId: `workers-${version}`,
      version,
      backend,
      progress: quiet,
      artifactsDir,
      stages: STAGES,
    });
  }

  const objectsOf = async (version: string) => {
    await setCurrent(artifactsDir, RECS_MODEL, version);
    return Promise.all(
      (await planR2Upload(artifactsDir, RECS_MODEL)).map(async ({ key, path }) => ({
        key,
        base64: (await readFile(path)).toString('base64'),
      })),
    );
  };
  const v2Objects = await objectsOf('v2');
  const switchV2 = await answer(artifactsDir, join(dir, 'switch-v2.db'), async (url) => ({
    switchReply: await sendRecsStep(fetch, url, SWITCH_REQUEST, ''),
  }));
  const v1Objects = await objectsOf('v1');
  const scenario = await answer(artifactsDir, join(dir, 'state.db'), async (url, writeKey) => {
    const replies: Partial<Record<RecsStepName, RecsReply>> = {};
    for (const name of Object.keys(RECS_STEPS) as RecsStepName[]) {
      replies[name] = await sendRecsStep(fetch, url, RECS_STEPS[name], writeKey);
    }
    return { replies, switchReply: await sendRecsStep(fetch, url, SWITCH_REQUEST, writeKey) };
  });
  return {
    v1Objects,
    v2Objects,
    replies: scenario.replies as Record<RecsStepName, RecsReply>,
    switchReplies: { v1: scenario.switchReply, v2: switchV2.switchReply },
  };
}

/** Runs `ask` against a Node server over the artifacts' current versions with a fresh state database. */
async function answer<T>(
  artifactsDir: string,
  statePath: string,
  ask: (url: string, writeKey: string) => Promise<T>,
): Promise<T> {
  const state = await openStateDb(statePath);
  let writeKey: string;
  try {
    writeKey = (await createApiKey(state.db, { scope: 'write' })).key;
  } finally {
    state.close();
  }
  const server = await startNodeServer({
    port: 0,
    artifactsDir,
    stateDb: statePath,
    watchIntervalMs: 0,
    reloadOnSighup: false,
  });
  try {
    return await ask(server.url, writeKey);
  } finally {
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, output] = process.argv.slice(2);
  if (!dir || !output) throw new Error('usage: recs-fixtures.ts <dir> <output.json>');
  await writeFile(output, JSON.stringify(await makeRecsFixtures(dir)));
  process.exit(0);
}
