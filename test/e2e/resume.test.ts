import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { readStageLedger } from '../../trainer/pipeline/stage-ledger.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';

/**
 * The first run as a user meets it, through the real command line: a machine without Python's ONNX
 * checker still trains, exports, indexes and publishes; an interrupted pipeline continues where it
 * stopped (`pipeline --run`, and `start`), without training again.
 */
const BIN = fileURLToPath(new URL('../../bin/dml-edge.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'dml-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = join(root, 'tiny-text.json');
writeFileSync(
  CONFIG,
  JSON.stringify({
    name: 'tiny-text',
    seed: 5,
    data: { source: 'wordnet', validation: 0.1, test: 0.1, limit: 3000 },
    featurizer: { buckets: 2048 },
    model: { embeddingDim: 16, outputDim: 16 },
    loss: { name: 'multiple_negatives_ranking', scale: 20, symmetric: true },
    train: { batchSize: 64, steps: 30, evalEvery: 15, patience: 0 },
    index: { collection: 'tiny-wordnet' },
    datasets: join(root, 'no-datasets'),
  }),
);

/** Without Python's checker: an interpreter that does not exist. */
const NO_CHECKER = { DML_EDGE_PYTHON: join(root, 'no-python'), DML_EDGE_ONNX_CHECKER: 'auto' };

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the real CLI; `until` resolves when stderr matches (the child may then be killed). */
function cli(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of waiters.filter((w) => w.pattern.test(stdout + stderr))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    check();
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    done,
    until: (pattern: RegExp) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiters.push({ pattern, resolve });
          check();
        }),
        done.then(({ code }) => {
          throw new Error(`exited (${code}) before ${pattern}:\n${stderr}`);
        }),
      ]),
  };
}

const locate = (name: string) => [
  '--runs',
  join(root, name, 'runs'),
  '--artifacts',
  join(root, name, 'artifacts'),
];
const onlyRun = (name: string) => {
  const [run] = readdirSync(join(root, name, 'runs'));
  return { id: run, dir: join(root, name, 'runs', run) };
};

/** Runs a pipeline until its training stage has finished, then kills it (as a closed laptop would). */
async function interruptAfterTraining(name: string): Promise<{ id: string; dir: string }> {
  const running = cli(['pipeline', '--config', CONFIG, ...locate(name)], NO_CHECKER);
  await running.until(/== train done/);
  running.child.kill('SIGKILL');
  await running.done;
  const run = onlyRun(name);
  expect(Object.keys(readStageLedger(run.dir).stages)).toEqual(['train']);
  return run;
}

describe('a first run that cannot break', () => {
  it("publishes on a machine without Python's ONNX checker, validating the export with onnxruntime", async () => {
    const { code, stderr } = await cli(['pipeline', '--config', CONFIG, ...locate('no-checker')], NO_CHECKER)
      .done;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("note: Python's ONNX checker is not available");
    expect(stderr).toMatch(/validated by onnxruntime/);
    const run = onlyRun('no-checker');
    expect(Object.keys(readStageLedger(run.dir).stages)).toEqual([...STAGES]);
    const exported = JSON.parse(readFileSync(join(run.dir, 'export.json'), 'utf8')) as {
      validatedBy: string;
    };
    expect(exported.validatedBy).toBe('onnxruntime');
    expect((await readCurrent(join(root, 'no-checker', 'artifacts'), 'tiny-text'))?.version).toBeDefined();
  }, 240_000);

  it('refuses before training when the checker is required and missing', async () => {
    const { code, stderr } = await cli(['pipeline', '--config', CONFIG, ...locate('required')], {
      ...NO_CHECKER,
      DML_EDGE_ONNX_CHECKER: 'require',
    }).done;
    expect(code).toBe(1);
    expect(stderr).toContain("DML_EDGE_ONNX_CHECKER=require but Python's ONNX checker cannot run");
    expect(stderr).not.toContain('== train');
    expect(existsSync(join(root, 'required', 'runs'))).toBe(false);
  }, 60_000);

  it('continues an interrupted pipeline with `pipeline --run <id>` alone, without training again', async () => {
    const run = await interruptAfterTraining('resume');
    const trained = readStageLedger(run.dir).stages.train;
    const { code, stderr } = await cli(['pipeline', '--run', run.id, ...locate('resume')], NO_CHECKER).done;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`continuing run ${run.id} with evaluate (finished: train)`);
    expect(stderr).not.toMatch(/== train/);
    const ledger = readStageLedger(run.dir);
    expect(ledger.stages.train).toEqual(trained);
    expect(Object.keys(ledger.stages)).toEqual([...STAGES]);

    const again = await cli(['pipeline', '--run', run.id, ...locate('resume')], NO_CHECKER).done;
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`run ${run.id} finished every stage already`);
  }, 240_000);

  it('`start` continues the newest unfinished run of its config, then serves it', async () => {
    const run = await interruptAfterTraining('start');
    const starting = cli(['start', '--config', CONFIG, '--port', '0', ...locate('start')], NO_CHECKER);
    try {
      await starting.until(/dml-edge is serving on/);
    } finally {
      starting.child.kill('SIGTERM');
    }
    const { stderr } = await starting.done;
    expect(stderr).toContain(
      `no published tiny-text model in ${join(root, 'start', 'artifacts')}: continuing run ${run.id}`,
    );
    expect(stderr).not.toMatch(/== train/);
    expect(readdirSync(join(root, 'start', 'runs'))).toEqual([run.id]);
    expect((await readCurrent(join(root, 'start', 'artifacts'), 'tiny-text'))?.version).toBe(
      run.id.slice('tiny-text-'.length),
    );
  }, 240_000);

  it('a failed stage prints the one command that continues the run', async () => {
    const run = await interruptAfterTraining('failed');
    // The index stage needs the exported model: without it, export is what must run first.
    rmSync(join(run.dir, 'checkpoints'), { recursive: true });
    const { code, stderr } = await cli(['pipeline', '--run', run.id, ...locate('failed')], NO_CHECKER).done;
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /the run is kept; continue it with: dml-edge pipeline --run tiny-text-\S+ --runs \S+ --artifacts \S+/,
    );
  }, 240_000);
});
