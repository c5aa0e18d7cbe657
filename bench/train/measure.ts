import { fork } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import { MeasureMessageSchema, type MeasureRequest } from './messages.ts';

export interface Measurement {
  batch?: number;
  /** Milliseconds per measured step. */
  samples: number[];
  /** Kernel runs of each profiled step: name and milliseconds. */
  profiles: { name: string; ms: number }[][];
  /** Why the measurement ended early: the model failed, or a step did not finish in time. */
  failure?: string;
}

/**
 * Runs measure-process.ts for one model and backend, collecting what it reports. A process that sends
 * nothing for `idleSeconds` (one step running that long) is killed; the samples sent so far are kept.
 */
export function measureInProcess(request: MeasureRequest, idleSeconds: number): Promise<Measurement> {
  const child = fork(join(REPO_ROOT, 'bench', 'train', 'measure-process.ts'), [JSON.stringify(request)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    // The tfjs banner about tfjs-node goes to stdout; the parent's progress lines stay readable.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const measurement: Measurement = { samples: [], profiles: [] };
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout;
    const finish = (failure?: string) => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.exitCode === null) child.kill();
      resolve(failure === undefined ? measurement : { ...measurement, failure });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(`no step finished within ${idleSeconds} s`), idleSeconds * 1000);
    };
    arm();
    child.on('message', (raw) => {
      arm();
      const parsed = MeasureMessageSchema.safeParse(raw);
      if (!parsed.success) return finish(`the measuring process sent ${JSON.stringify(raw)}`);
      const message = parsed.data;
      if (message.kind === 'batch') measurement.batch = message.batch;
      else if (message.kind === 'sample') measurement.samples.push(message.ms);
      else if (message.kind === 'profile') measurement.profiles.push(message.kernels);
      else if (message.kind === 'done') finish();
      else finish(message.message);
    });
    child.on('exit', (code) => finish(`the measuring process exited (${code}) before it was done`));
  });
}
