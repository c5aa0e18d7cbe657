import { existsSync } from 'node:fs';

/**
 * Test-only crash points. With DML_EDGE_TEST_KILL_AT=<point> the job SIGKILLs itself at that point, as a
 * power cut or the OOM killer would, so the kill-safety tests land their kill at a known step instead of
 * racing a timer. Unset (always, outside tests), these do nothing.
 */
export const KILL_POINTS = ['after-training', 'mid-export', 'mid-publish'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

const ENV = 'DML_EDGE_TEST_KILL_AT';

function armed(point: KillPoint): boolean {
  return process.env[ENV] === point;
}

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL was sent');
}

export function killPoint(point: KillPoint): void {
  if (armed(point)) die();
}

/**
 * Runs `work`, dying as soon as `file` exists while it runs: a kill inside a stage we do not own (the
 * export writes model.onnx, then checks it in a child process, which gives the event loop its turn).
 */
export async function killWhenFileAppears<T>(
  point: KillPoint,
  file: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!armed(point)) return work();
  const timer = setInterval(() => {
    if (existsSync(file)) die();
  }, 5);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
