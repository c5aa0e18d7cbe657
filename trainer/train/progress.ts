/**
 * Training progress on stderr: a live line on a terminal, a plain line every few seconds in logs
 * (cron, CI), so both a person watching and a log reader see step, loss, throughput and ETA.
 */
export interface ProgressLine {
  step: number;
  totalSteps: number;
  loss: number;
  samplesPerSecond: number;
  etaSeconds: number;
  note?: string;
}

export interface ProgressReporter {
  update(line: ProgressLine): void;
  /** A message on its own line (validation results, checkpoints), not overwritten by the bar. */
  log(message: string): void;
  done(): void;
}

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  logEverySeconds = 10,
): ProgressReporter {
  const live = Boolean(stream.isTTY);
  let lastLogged = 0;
  let pending = false;

  const render = (p: ProgressLine) => {
    const fraction = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = live ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return (
      `${bar}step ${p.step}/${p.totalSteps} ${(fraction * 100).toFixed(1)}% loss ${p.loss.toFixed(4)} ` +
      `${Math.round(p.samplesPerSecond)} samples/s ETA ${formatDuration(p.etaSeconds)}` +
      (p.note ? ` ${p.note}` : '')
    );
  };

  return {
    update(line) {
      if (live) {
        stream.write(`\r\x1b[K${render(line)}`);
        pending = true;
        return;
      }
      const now = Date.now();
      if (now - lastLogged >= logEverySeconds * 1000 || line.step === line.totalSteps) {
        lastLogged = now;
        stream.write(`${render(line)}\n`);
      }
    },
    log(message) {
      stream.write(`${pending ? '\r\x1b[K' : ''}${message}\n`);
      pending = false;
    },
    done() {
      if (pending) stream.write('\n');
      pending = false;
    },
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Progress of countable work inside a stage (texts embedded, queries ranked, items indexed): a line with
 * the count, rate and ETA every few seconds, and a last one when it ends, so that no stage runs silent.
 * Work done within the first interval prints nothing. Returns the function to call with the count done.
 */
export function countProgress(
  progress: Pick<ProgressReporter, 'log'>,
  label: string,
  total: number,
  everySeconds = 5,
): (done: number) => void {
  const started = performance.now();
  let lastLogged = started;
  let logged = false;
  return (done) => {
    const now = performance.now();
    const due = now - lastLogged >= everySeconds * 1000;
    if (done < total ? !due : !(due || logged)) return;
    lastLogged = now;
    logged = true;
    const seconds = (now - started) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    const eta =
      done < total ? ` ETA ${formatDuration((total - done) / rate)}` : ` in ${formatDuration(seconds)}`;
    progress.log(`${label} ${done}/${total} (${Math.round(rate)}/s)${eta}`);
  };
}

/**
 * Runs one step of a stage that has no count to show (a k-means, a report's maps), logging when it starts
 * and how long it took. Synchronous work stays synchronous; a promise is timed until it settles.
 */
export function timedStep<T>(progress: Pick<ProgressReporter, 'log'>, label: string, run: () => T): T {
  const started = performance.now();
  progress.log(`${label}...`);
  const finished = () =>
    progress.log(`${label} done in ${formatDuration((performance.now() - started) / 1000)}`);
  const result = run();
  if (result instanceof Promise) {
    return result.then((value) => {
      finished();
      return value;
    }) as T;
  }
  finished();
  return result;
}
