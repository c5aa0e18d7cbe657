import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import {
  createWorkspace,
  MODEL,
  retrainArgs,
  runCli,
  STRONG,
  summaryOf,
  WEAK,
  type Workspace,
} from './workspace.ts';

/**
 * A real Node server answers a steady stream of requests while a retrain job in another process
 * promotes a new version, and then while `dml-edge models rollback` puts the old one back: no request
 * fails, and X-Model-Version moves from the old version to the new one (and back), never back and forth.
 */
const JOB_TIMEOUT = 600_000;
const WORKERS = 4;

interface Answer {
  status: number;
  version: string | null;
}

/** WORKERS loops of search requests, each waiting for its answer before sending the next. */
function steadyTraffic(url: string) {
  let running = true;
  const answers: Answer[][] = Array.from({ length: WORKERS }, () => []);
  const worker = async (log: Answer[], n: number) => {
    while (running) {
      try {
        const response = await fetch(`${url}/v1/search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `a kind of animal ${n}`, k: 3, collection: 'tiny-wordnet' }),
        });
        await response.arrayBuffer();
        log.push({ status: response.status, version: response.headers.get('x-model-version') });
      } catch (error) {
        log.push({ status: 0, version: String(error) });
      }
    }
  };
  const done = Promise.all(answers.map((log, n) => worker(log, n)));
  return {
    latest: () => answers[0].at(-1)?.version,
    async stop(): Promise<Answer[][]> {
      running = false;
      await done;
      return answers;
    },
  };
}

async function waitFor(condition: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every answer succeeded, and each worker saw `from` and then only `to`. */
function expectCleanSwitch(answers: Answer[][], from: string, to: string): void {
  const all = answers.flat();
  console.log(
    `${all.length} requests: ${all.filter((a) => a.version === from).length} answered by ${from}, then ${to}`,
  );
  for (const log of answers) {
    expect(log.filter((a) => a.status !== 200)).toEqual([]);
    const versions = log.map((a) => a.version);
    const firstNew = versions.indexOf(to);
    expect(firstNew).toBeGreaterThan(0);
    expect(new Set(versions.slice(0, firstNew))).toEqual(new Set([from]));
    expect(new Set(versions.slice(firstNew))).toEqual(new Set([to]));
  }
}

let workspace: Workspace;
let server: RunningServer;
let first: string;
let second: string;

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-swap-');
  const { summary } = await workspace.retrain((await workspace.config('weak', WEAK)).parsed);
  expect(summary.status).toBe('promoted');
  first = `${MODEL}@${summary.version}`;
  server = await startNodeServer({ port: 0, artifactsDir: workspace.artifactsDir, watchIntervalMs: 100 });
}, JOB_TIMEOUT);

afterAll(async () => {
  await server?.close();
  await workspace?.remove();
});

describe('a server under load while models change', () => {
  it(
    'drops no request while a retrain job promotes a new version, and switches to it',
    async () => {
      const traffic = steadyTraffic(server.url);
      await waitFor(() => traffic.latest() === first, 'the first answers');
      const job = await runCli(retrainArgs(workspace, (await workspace.config('strong', STRONG)).path));
      expect(job.code, job.stderr).toBe(0);
      const summary = summaryOf(job);
      expect(summary.status).toBe('promoted');
      second = `${MODEL}@${summary.version}`;
      await waitFor(() => traffic.latest() === second, `${second} to answer`);
      // Keep the traffic going a little after the switch, then check every answer.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expectCleanSwitch(await traffic.stop(), first, second);
    },
    JOB_TIMEOUT,
  );

  it(
    'drops no request while a rollback puts the previous champion back',
    async () => {
      const traffic = steadyTraffic(server.url);
      await waitFor(() => traffic.latest() === second, 'the first answers');
      const rollback = await runCli(['models', 'rollback', '--artifacts', workspace.artifactsDir]);
      expect(rollback.code, rollback.stderr).toBe(0);
      await waitFor(() => traffic.latest() === first, `${first} to answer again`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expectCleanSwitch(await traffic.stop(), second, first);
    },
    JOB_TIMEOUT,
  );
});
