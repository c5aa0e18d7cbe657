import type { Batching } from './limits.ts';
import type { Embedder } from './ports.ts';

interface QueuedCall {
  texts: readonly string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * Calls `then` after `ms`. With 0 on Node, right after the event loop's current round of I/O callbacks
 * (setImmediate): the requests read in that round share a run and an idle server waits for nothing.
 * workerd has no setImmediate; there a zero timeout does the same.
 */
function wait(then: () => void, ms: number): () => void {
  if (ms === 0 && typeof setImmediate === 'function') {
    const immediate = setImmediate(then);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(then, ms);
  return () => clearTimeout(timer);
}

/**
 * Wraps an Embedder so that concurrent calls share model runs. Texts queue until `maxBatch` of them wait
 * or the oldest has waited `maxWaitMs`; then one run embeds them all and each caller gets its own slice,
 * or the run's error. Runs never overlap (one ORT session, one thread): calls that arrive during a run
 * go into the next one, which starts as soon as the current run ends since they have already waited.
 * So an idle server adds at most `maxWaitMs` of latency, and a busy one batches more. The default, 0,
 * batches only what arrived together: measured on the WordNet /v1/search, a 2 ms wait cost more latency
 * and CPU per request than it saved in model runs.
 * A single call larger than `maxBatch` runs alone, unsplit.
 */
export function createMicroBatcher(
  embedder: Embedder,
  options: Batching,
  /** Told the size and duration (seconds) of every model run, for the batch-size metrics. */
  onRun?: (texts: number, seconds: number) => void,
): Embedder {
  const queue: QueuedCall[] = [];
  let queuedTexts = 0;
  let cancelWait: (() => void) | undefined;
  let running = false;

  function schedule(): void {
    if (running || queue.length === 0) return;
    if (queuedTexts >= options.maxBatch) {
      void run();
    } else if (cancelWait === undefined) {
      cancelWait = wait(run, options.maxWaitMs);
    }
  }

  /** Whole calls from the front of the queue, up to maxBatch texts (at least one call). */
  function takeBatch(): QueuedCall[] {
    const batch: QueuedCall[] = [];
    let texts = 0;
    while (queue.length > 0 && (batch.length === 0 || texts + queue[0].texts.length <= options.maxBatch)) {
      const call = queue.shift()!;
      texts += call.texts.length;
      batch.push(call);
    }
    queuedTexts -= texts;
    return batch;
  }

  async function run(): Promise<void> {
    cancelWait?.();
    cancelWait = undefined;
    if (running) return;
    running = true;
    const batch = takeBatch();
    try {
      const texts = batch.flatMap((call) => call.texts);
      const started = performance.now();
      const vectors = await embedder.embed(texts);
      onRun?.(texts.length, (performance.now() - started) / 1000);
      if (vectors.length !== texts.length) {
        throw new Error(`embedder returned ${vectors.length} vectors for ${texts.length} texts`);
      }
      let offset = 0;
      for (const call of batch) {
        call.resolve(vectors.slice(offset, offset + call.texts.length));
        offset += call.texts.length;
      }
    } catch (error) {
      for (const call of batch) call.reject(error);
    } finally {
      running = false;
      if (queue.length > 0) void run();
    }
  }

  return {
    dim: embedder.dim,
    embed(texts) {
      if (texts.length === 0) return Promise.resolve([]);
      return new Promise<Float32Array[]>((resolve, reject) => {
        queue.push({ texts, resolve, reject });
        queuedTexts += texts.length;
        schedule();
      });
    },
  };
}
